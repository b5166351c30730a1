import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { actorOf } from '../http/request-context.ts';
import { listOf, pageQuery } from '../pagination.ts';
import { createUserBody, updateUserBody, userView } from './user-schemas.ts';
import { createUser, getUser, listUsers, unmaskUser, updateUser } from './user-service.ts';

const idParams = z.object({ id: z.uuid() });

export function userRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: '用户列表（管辖范围内）',
          querystring: z.object({
            q: z.string().trim().max(100).optional(),
            /** Only active users who may sample at this unit (a team's picker). */
            samplersFor: z.uuid().optional(),
            /** Only active users who may take a lab's results over this whole unit (a lab's team picker). */
            labStaffFor: z.uuid().optional(),
            ...pageQuery,
          }),
          response: { 200: listOf(userView) },
        },
      },
      async (req) => listUsers(deps, actorOf(req), req.query),
    );
    app.post(
      '/users',
      {
        schema: {
          tags: ['users'],
          summary: '新建用户并授权',
          body: createUserBody,
          response: { 201: userView },
        },
      },
      async (req, reply) => reply.status(201).send(await createUser(deps, actorOf(req), req.body)),
    );
    app.get(
      '/users/:id',
      { schema: { tags: ['users'], summary: '用户详情', params: idParams, response: { 200: userView } } },
      async (req) => getUser(deps, actorOf(req), req.params.id),
    );
    app.patch(
      '/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: '修改用户',
          params: idParams,
          body: updateUserBody,
          response: { 200: userView },
        },
      },
      async (req) => updateUser(deps, actorOf(req), req.params.id, req.body),
    );
    app.post(
      '/users/:id/unmask',
      {
        schema: {
          tags: ['users'],
          summary: '查看完整手机号（需权限，留痕）',
          params: idParams,
          response: { 200: z.object({ phone: z.string().nullable() }) },
        },
      },
      async (req) => unmaskUser(deps, actorOf(req), req.params.id),
    );
  };
}
