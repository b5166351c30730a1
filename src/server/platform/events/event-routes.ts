import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { coversWholeTree, pathInScope } from '../access/actor.ts';
import type { AppDeps } from '../deps.ts';
import { actorOf } from '../http/request-context.ts';

const PING_MS = 25_000;

/**
 * Domain events to browsers over SSE, each only to users whose grants cover the record's node
 * (events with no node, such as a role change, only to holders of a whole tree).
 */
export function eventRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const open = new Set<ServerResponse>();
    // Streams never go idle, so the server ends them itself when it shuts down.
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
    });

    app.get('/events', { schema: { tags: ['events'], summary: '实时事件流（SSE）' } }, (req, reply) => {
      const actor = actorOf(req);
      const scope = [...new Set(actor.grants.map((g) => g.orgPath))];
      const wholeTree = coversWholeTree(scope);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 5000\n: connected\n\n');
      open.add(res);
      const unsubscribe = deps.events.subscribe((event) => {
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
      });
    });
  };
}
