import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DomainEvent, EventBus } from './event-bus.ts';

const CHANNEL = 'gw_events';
/** PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; events go in chunks below that. */
const MAX_PAYLOAD = 7000;
const RECONNECT_MS = 1000;
/**
 * How long events wait to go out together. A NOTIFY is a transaction of its own (a WAL flush) and
 * wakes every listening connection, the sender's too: sent per turn of the event loop it went
 * out with every batch of scans (~240 a second per app server at the peak). Gathered for 50 ms,
 * the peak's scans rose ~5 % (7,459 → 7,826 a second, three interleaved pairs on stock
 * PostgreSQL 15, 2 app servers), and the other servers' pages hear of a change 50 ms later —
 * they read again on a notice anyway.
 */
const RELAY_GATHER_MS = 50;
/** How the relay's connection shows in pg_stat_activity. */
export const RELAY_APPLICATION = 'gridwatch-events';

interface Envelope {
  /** The app server that published the events (it has delivered them already). */
  from: string;
  events: DomainEvent[];
}

/** A payload on our channel is only trusted as far as its shape: anyone who can connect may NOTIFY. */
function readEnvelope(payload: string): Envelope | null {
  try {
    const value = JSON.parse(payload) as Partial<Envelope>;
    if (typeof value?.from !== 'string' || !Array.isArray(value.events)) return null;
    const events = value.events.filter(
      (e): e is DomainEvent =>
        typeof e === 'object' && e !== null && typeof e.type === 'string' && typeof e.entity === 'string',
    );
    return { from: value.from, events };
  } catch {
    return null;
  }
}

/**
 * Several app servers on one PostgreSQL (a city behind a load balancer): what one publishes, the
 * others' subscribers (dashboards, phones over SSE) hear too, through LISTEN/NOTIFY on one
 * connection of its own. The events of 50 ms — a batch of scans publishes one per tube — go out
 * together in as few NOTIFYs as fit. An event is a notice that something changed (the pages read
 * again), so one lost while the connection is down is not replayed; the relay connects again
 * after a second, one connection at a time, and then announces a resync to this server's
 * subscribers, so the pages read again what they may have missed.
 */
export async function relayEventsThroughPostgres(
  bus: EventBus,
  databaseUrl: string,
  onError: (error: unknown) => void = () => {},
): Promise<{ close(): Promise<void> }> {
  const self = randomUUID();
  let client: pg.Client | undefined;
  let closed = false;
  let reconnect: NodeJS.Timeout | undefined;
  let pending: DomainEvent[] = [];
  let scheduled = false;
  /** A connection was lost: the other app servers' events of the gap never reached this one. */
  let missed = false;

  const scheduleReconnect = () => {
    if (closed || reconnect) return;
    reconnect = setTimeout(() => {
      reconnect = undefined;
      void connect().catch(() => {});
    }, RECONNECT_MS);
    reconnect.unref();
  };

  /** Connects and listens; on any failure the connection is ended and one reconnection scheduled. */
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({
      connectionString: databaseUrl,
      application_name: RELAY_APPLICATION,
      keepAlive: true,
    });
    let lost = false;
    const lose = (error: unknown) => {
      onError(error);
      // One reconnection per lost connection, however many errors it reports.
      if (lost) return;
      lost = true;
      missed = true;
      if (client === c) client = undefined;
      void c.end().catch(() => {});
      scheduleReconnect();
    };
    c.on('error', lose);
    c.on('notification', (message) => {
      if (message.channel !== CHANNEL || !message.payload) return;
      const envelope = readEnvelope(message.payload);
      if (!envelope) return onError(new Error('an unreadable event notification was ignored'));
      if (envelope.from === self) return;
      for (const event of envelope.events) bus.deliver(event);
    });
    try {
      await c.connect();
      await c.query(`listen ${CHANNEL}`);
    } catch (error) {
      lose(error);
      throw error;
    }
    if (closed || lost) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    if (missed) {
      missed = false;
      // What was published elsewhere meanwhile is gone (NOTIFY keeps nothing): this server's
      // subscribers are told to read again instead (the browsers refetch what they show).
      bus.announceResync();
    }
  };

  const flush = async () => {
    try {
      while (pending.length > 0 && client) {
        const events = pending;
        pending = [];
        for (const payload of chunks(self, events, onError))
          await client.query('select pg_notify($1, $2)', [CHANNEL, payload]);
      }
    } catch (error) {
      onError(error);
    } finally {
      // Whatever could not go out is dropped (notices, not data), so the next event starts afresh.
      pending = [];
      scheduled = false;
    }
  };

  try {
    await connect();
  } catch (error) {
    // Not started: nothing may connect later behind the caller's back.
    closed = true;
    if (reconnect) clearTimeout(reconnect);
    throw error;
  }
  bus.relayTo((event) => {
    if (!client) return;
    pending.push(event);
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => void flush(), RELAY_GATHER_MS).unref();
  });
  return {
    async close() {
      closed = true;
      bus.relayTo(undefined);
      if (reconnect) clearTimeout(reconnect);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}

/** The events as NOTIFY payloads, each below PostgreSQL's limit (an event too large alone is dropped). */
function chunks(from: string, events: DomainEvent[], onError: (error: unknown) => void): string[] {
  const payloads: string[] = [];
  let part: DomainEvent[] = [];
  let size = 0;
  const seal = () => {
    if (part.length > 0) payloads.push(JSON.stringify({ from, events: part } satisfies Envelope));
    part = [];
    size = 0;
  };
  const room = MAX_PAYLOAD - 100;
  for (const event of events) {
    const length = Buffer.byteLength(JSON.stringify(event)) + 1;
    if (length > room) {
      onError(new Error(`an event of ${length} bytes is too large to relay`));
      continue;
    }
    if (size + length > room) seal();
    part.push(event);
    size += length;
  }
  seal();
  return payloads;
}
