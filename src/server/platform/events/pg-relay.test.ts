import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Database } from '../../db/database.ts';
import { createTestDatabase, testDatabaseKind, urlOfTestDatabase } from '../../testing/test-database.ts';
import { type DomainEvent, EventBus } from './event-bus.ts';
import { RELAY_APPLICATION, relayEventsThroughPostgres } from './pg-relay.ts';

const onPglite = testDatabaseKind() === 'pglite';
let database: Database;
let url: string;
before(async () => {
  if (onPglite) return;
  database = await createTestDatabase();
  url = await urlOfTestDatabase(database);
});
after(async () => {
  if (!onPglite) await database.close();
});

const event = (i: number): DomainEvent => ({
  type: 'sampling.scan',
  entity: 'tube',
  entityId: `tube-${i}`,
  orgPath: '411600.001.002',
  at: new Date(0).toISOString(),
});

function collect(bus: EventBus) {
  const seen: DomainEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  return seen;
}

async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

test('two app servers on one PostgreSQL hear each other’s events once, in order, however many at once', {
  skip: onPglite && 'LISTEN/NOTIFY between app servers is a PostgreSQL matter',
}, async () => {
  const [a, b] = [new EventBus(), new EventBus()];
  const relays = [await relayEventsThroughPostgres(a, url), await relayEventsThroughPostgres(b, url)];
  try {
    const [onA, onB] = [collect(a), collect(b)];
    // 400 events in one turn: more than one NOTIFY payload can carry.
    const sent = Array.from({ length: 400 }, (_, i) => event(i));
    for (const e of sent) a.publish(e);
    b.publish(event(1000));
    await until(() => onB.length === 401 && onA.length === 401);
    // Each server's events arrive in the order it published them; its own are delivered at once
    // (so B heard its own first) and never come back to it.
    const mine = (e: DomainEvent) => e.entityId === 'tube-1000';
    assert.deepEqual(
      onB.filter((e) => !mine(e)),
      sent,
    );
    assert.deepEqual(onB.filter(mine), [event(1000)]);
    assert.deepEqual(onA, [...sent, event(1000)]);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(onA.length, 401);
    assert.equal(onB.length, 401);
  } finally {
    for (const relay of relays) await relay.close();
  }
});

test('a relay whose connection is cut connects again and carries the events after it', {
  skip: onPglite && 'LISTEN/NOTIFY between app servers is a PostgreSQL matter',
}, async () => {
  const [a, b] = [new EventBus(), new EventBus()];
  const errors: unknown[] = [];
  const relays = [
    await relayEventsThroughPostgres(a, url, (e) => errors.push(e)),
    await relayEventsThroughPostgres(b, url, (e) => errors.push(e)),
  ];
  const resyncs = [0, 0];
  a.onResync(() => resyncs[0]++);
  b.onResync(() => resyncs[1]++);
  try {
    const onA = collect(a);
    // Cut one relay's connection from the server side (a restart, an administrator, a failover).
    const [current] = await database.query<{ name: string }>('select current_database() as name', []);
    const cut = await database.query<{ pid: number }>(
      `select pg_terminate_backend(pid) as pid from pg_stat_activity
         where application_name = $1 and datname = $2 and pid = (
           select max(pid) from pg_stat_activity where application_name = $1 and datname = $2)`,
      [RELAY_APPLICATION, current?.name],
    );
    assert.equal(cut.length, 1);
    await until(() => errors.length > 0);
    assert.ok(errors.length > 0, 'the relay heard its connection end');
    // Published until it hears A again: the first ones may fall in the gap, later ones arrive.
    let n = 0;
    await until(() => {
      b.publish(event(2000 + n++));
      return onA.length > 0;
    });
    assert.ok(onA.length > 0, 'events flow again after reconnecting');
    // The relay that was cut off told its own subscribers to read again, once; the other, nothing.
    await until(() => resyncs[0] + resyncs[1] > 0);
    assert.deepEqual(resyncs.toSorted(), [0, 1]);
  } finally {
    for (const relay of relays) await relay.close();
  }
});

test('a notification on the channel that is not ours is ignored, not fatal', {
  skip: onPglite && 'LISTEN/NOTIFY between app servers is a PostgreSQL matter',
}, async () => {
  const bus = new EventBus();
  const errors: unknown[] = [];
  const relay = await relayEventsThroughPostgres(bus, url, (e) => errors.push(e));
  try {
    const seen = collect(bus);
    // Anyone who can connect may NOTIFY: garbage, a wrong shape, then a well-formed stranger.
    await database.query(`select pg_notify('gw_events', 'not json')`, []);
    await database.query(`select pg_notify('gw_events', '{"events":"x"}')`, []);
    await database.query('select pg_notify($1, $2)', [
      'gw_events',
      JSON.stringify({ from: 'another-server', events: [event(3000)] }),
    ]);
    await until(() => seen.length === 1);
    assert.deepEqual(seen, [event(3000)]);
    assert.equal(errors.length, 2, 'the two unreadable ones were reported');
  } finally {
    await relay.close();
  }
});
