import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DomainEvent, EventBus } from './event-bus.ts';

const CHANNEL = 'gw_events';
/** PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; events go in chunks below that. */
const MAX_PAYLOAD = 7000;
const RECONNECT_MS = 1000;
/** How the relay's connection shows in pg_stat_activity. */
export const RELAY_APPLICATION = 'gridwatch-events';

interface Envelope {
  /** The app server that published the events (it has delivered them already). */
  from: string;
  events: DomainEvent[];
}

/**
 * Several app servers on one PostgreSQL (a city behind a load balancer): what one publishes, the
 * others' subscribers (dashboards, phones over SSE) hear too, through LISTEN/NOTIFY on one
 * connection of its own. The events of one turn of the event loop — a batch of scans publishes
 * one per tube — go out together in as few NOTIFYs as fit. An event is a notice that something
 * changed (the pages read again), so one lost while the connection is down is not replayed; the
 * relay connects again after a second.
 */
export async function relayEventsThroughPostgres(
  bus: EventBus,
  databaseUrl: string,
  onError: (error: unknown) => void = () => {},
): Promise<{ close(): Promise<void> }> {
  const self = randomUUID();
  let client: pg.Client | undefined;
  let closed = false;
  let pending: DomainEvent[] = [];
  let flushing = false;

  const connect = async () => {
    const c = new pg.Client({ connectionString: databaseUrl, application_name: RELAY_APPLICATION });
    let lost = false;
    c.on('error', (error) => {
      onError(error);
      // One reconnection per lost connection, however many errors it reports.
      if (lost) return;
      lost = true;
      if (client === c) client = undefined;
      void c.end().catch(() => {});
      if (!closed) setTimeout(() => void connect().catch(retry), RECONNECT_MS).unref();
    });
    c.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      const envelope = JSON.parse(message.payload) as Envelope;
      if (envelope.from === self) return;
      for (const event of envelope.events) bus.deliver(event);
    });
    await c.connect();
    await c.query(`listen ${CHANNEL}`);
    client = c;
  };
  const retry = (error: unknown) => {
    onError(error);
    if (!closed) setTimeout(() => void connect().catch(retry), RECONNECT_MS).unref();
  };

  const flush = async () => {
    flushing = true;
    try {
      while (pending.length > 0 && client) {
        const events = pending;
        pending = [];
        for (const payload of chunks(self, events))
          await client.query('select pg_notify($1, $2)', [CHANNEL, payload]);
      }
    } catch (error) {
      onError(error);
    } finally {
      flushing = false;
      pending = client ? pending : [];
    }
  };

  await connect();
  bus.relayTo((event) => {
    if (!client) return;
    pending.push(event);
    if (pending.length === 1 && !flushing) setImmediate(() => void flush());
  });
  return {
    async close() {
      closed = true;
      bus.relayTo(undefined);
      const c = client;
      client = undefined;
      await c?.end();
    },
  };
}

/** The events as NOTIFY payloads, each below PostgreSQL's limit. */
function chunks(from: string, events: DomainEvent[]): string[] {
  const payloads: string[] = [];
  let part: DomainEvent[] = [];
  let size = 0;
  const seal = () => {
    if (part.length > 0) payloads.push(JSON.stringify({ from, events: part } satisfies Envelope));
    part = [];
    size = 0;
  };
  for (const event of events) {
    const length = Buffer.byteLength(JSON.stringify(event)) + 1;
    if (size + length > MAX_PAYLOAD - 100) seal();
    part.push(event);
    size += length;
  }
  seal();
  return payloads;
}
