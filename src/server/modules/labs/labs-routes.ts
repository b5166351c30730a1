import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../platform/deps.ts';
import { actorOf } from '../../platform/http/request-context.ts';
import * as service from './labs-service.ts';

const tags = ['testing'];
const name = z.string().trim().min(1).max(100);
const memberUserIds = z.array(z.uuid()).max(200);

export const labView = z.object({
  id: z.string(),
  name: z.string(),
  orgUnitId: z.string(),
  orgUnitName: z.string(),
  active: z.boolean(),
  members: z.array(z.object({ id: z.string(), displayName: z.string() })),
  mine: z.boolean(),
  actions: z.object({ manage: z.boolean() }),
});

/** Testing labs (检测机构), kept by the command centre; hand-overs name one. */
export function labRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/labs',
      {
        schema: {
          tags,
          summary: '检测机构（可送检的实验室）',
          response: { 200: z.object({ items: z.array(labView) }) },
        },
      },
      async (req) => service.listLabs(deps, actorOf(req)),
    );
    app.post(
      '/labs',
      {
        schema: {
          tags,
          summary: '登记检测机构（服务范围、检测人员）',
          body: z.object({ name, orgUnitId: z.uuid(), memberUserIds: memberUserIds.optional() }),
          response: { 201: labView },
        },
      },
      async (req, reply) => reply.status(201).send(await service.createLab(deps, actorOf(req), req.body)),
    );
    app.patch(
      '/labs/:id',
      {
        schema: {
          tags,
          summary: '修改检测机构（名称、检测人员、停用）',
          params: z.object({ id: z.uuid() }),
          body: z.object({
            name: name.optional(),
            active: z.boolean().optional(),
            memberUserIds: memberUserIds.optional(),
          }),
          response: { 200: labView },
        },
      },
      async (req) => service.updateLab(deps, actorOf(req), req.params.id, req.body),
    );
  };
}
