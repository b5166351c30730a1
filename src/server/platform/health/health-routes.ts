import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pingDatabase } from '../../db/rows.ts';
import type { AppDeps } from '../deps.ts';

const startedAt = new Date().toISOString();

export function healthRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        config: { public: true },
        schema: {
          tags: ['platform'],
          summary: '健康检查',
          response: {
            200: z.object({
              status: z.literal('ok'),
              database: z.enum(['pglite', 'postgresql']),
              startedAt: z.string(),
              demo: z.boolean(),
              time: z.string(),
            }),
          },
        },
      },
      async () => {
        await pingDatabase(deps.database.db);
        return {
          status: 'ok' as const,
          database: deps.database.kind,
          startedAt,
          demo: deps.config.demo,
          time: new Date().toISOString(),
        };
      },
    );
  };
}
