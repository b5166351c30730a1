import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ENTITIES_ABOUT_PEOPLE } from '../../../domain/audit.ts';
import { type Actor, coversWholeTree, pathInScope, scopePaths } from '../access/actor.ts';
import { onCommitted } from '../audit/run-write.ts';
import { authenticate } from '../auth/auth-service.ts';
import type { AppDeps } from '../deps.ts';
import { actorOf, requestInfo, SESSION_COOKIE } from '../http/request-context.ts';

const PING_MS = 25_000;

/**
 * Records about people: their events (ids only, but they say who was changed, where and when)
 * reach only those who may read residents there, as every read of people is scoped.
 */
const ABOUT_PEOPLE = new Set(ENTITIES_ABOUT_PEOPLE);

/** Where an actor hears events: any grant for most records, reading residents for people's. */
function hearingOf(actor: Actor) {
  const any = [...new Set(actor.grants.map((g) => g.orgPath))];
  const people = scopePaths(actor, 'resident.read');
  return {
    any: { scope: any, wholeTree: coversWholeTree(any) },
    people: { scope: people, wholeTree: coversWholeTree(people) },
  };
}

/**
 * Domain events to browsers over SSE, each only to users whose grants cover the record's node
 * (events with no node, such as a role change, only to holders of a whole tree); events about
 * people only where the user may read residents.
 */
export function eventRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const open = new Set<ServerResponse>();
    /** Each stream's session, read again when users, roles, grants or sessions change. */
    const sessionsOf = new Map<ServerResponse, () => Promise<void>>();
    // What can end or narrow a session: users, roles, units, and sessions ended (logout, a
    // password change); not logins, nor failed ones (anyone may cause those, any number).
    const stopListening = onCommitted((touched) => {
      const relevant = touched.some(
        (t) =>
          ['user', 'role', 'org-unit'].includes(t.entity) ||
          (t.entity === 'session' && t.entityId !== null && t.action !== 'session.create'),
      );
      if (relevant) for (const recheck of sessionsOf.values()) void recheck();
    });
    // Streams never go idle, so the server ends them itself when it shuts down.
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
    });
    app.addHook('onClose', async () => stopListening());

    app.get('/events', { schema: { tags: ['events'], summary: '实时事件流（SSE）' } }, (req, reply) => {
      let hearing = hearingOf(actorOf(req));
      const token = req.cookies[SESSION_COOKIE] ?? '';
      const info = requestInfo(req);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 5000\n: connected\n\n');
      open.add(res);
      sessionsOf.set(res, async () => {
        // Not a touch: a stream left open must not keep an idle session alive.
        let now: Actor | null;
        try {
          now = await authenticate(deps, token, info, { touch: false });
        } catch {
          return; // the database is out of reach for a moment: the stream stays as it was
        }
        if (!now) return void res.end();
        hearing = hearingOf(now);
      });
      const unsubscribe = deps.events.subscribe((event) => {
        const { scope, wholeTree } = ABOUT_PEOPLE.has(event.entity) ? hearing.people : hearing.any;
        const visible = event.orgPath ? pathInScope(event.orgPath, scope) : wholeTree;
        if (!visible) return;
        const { orgPath: _orgPath, ...data } = event;
        res.write(`event: ${event.entity}\ndata: ${JSON.stringify(data)}\n\n`);
      });
      // Events may have been missed (another app server was out of reach): everybody reads again.
      const unsubscribeResync = deps.events.onResync(() => res.write('event: resync\ndata: {}\n\n'));
      const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
      res.on('close', () => {
        unsubscribe();
        unsubscribeResync();
        clearInterval(ping);
        open.delete(res);
        sessionsOf.delete(res);
      });
    });
  };
}
