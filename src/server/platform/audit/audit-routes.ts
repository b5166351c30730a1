import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { actorOf } from '../http/request-context.ts';
import { dateInRange } from '../http/validation.ts';
import { listOf, pageQuery } from '../pagination.ts';
import { listAuditEvents } from './audit-service.ts';

const auditView = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  /** What the record is, read now: a person's name, a tube's code, a unit's name…; null if gone. */
  entityName: z.string().nullable(),
  changes: z.unknown(),
  ip: z.string().nullable(),
});

export function auditRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/audit-events',
      {
        schema: {
          tags: ['audit'],
          summary: '审计日志',
          querystring: z.object({
            actor: z.string().trim().max(100).optional(),
            action: z.string().trim().max(100).optional(),
            entity: z.string().trim().max(100).optional(),
            entityId: z.string().trim().max(100).optional(),
            from: dateInRange.optional(),
            to: dateInRange.optional(),
            ...pageQuery,
          }),
          response: { 200: listOf(auditView) },
        },
      },
      async (req) => listAuditEvents(deps, actorOf(req), req.query),
    );
  };
}
