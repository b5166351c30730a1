import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { actorOf } from '../http/request-context.ts';
import { listOf } from '../pagination.ts';
import { listPermissions, listRoles, updateRolePermissions } from './role-service.ts';

const roleView = z.object({
  code: z.string(),
  name: z.string(),
  nameEn: z.string(),
  permissions: z.array(z.string()),
});

export function roleRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/roles',
      { schema: { tags: ['roles'], summary: '角色列表', response: { 200: listOf(roleView) } } },
      () => listRoles(deps),
    );
    app.get(
      '/permissions',
      {
        schema: {
          tags: ['roles'],
          summary: '权限列表',
          response: { 200: listOf(z.object({ code: z.string(), name: z.string(), nameEn: z.string() })) },
        },
      },
      async () => listPermissions(),
    );
    app.patch(
      '/roles/:code',
      {
        schema: {
          tags: ['roles'],
          summary: '修改角色权限',
          params: z.object({ code: z.string().min(1).max(50) }),
          body: z.object({ permissions: z.array(z.string().max(100)).max(100) }),
          response: { 200: roleView },
        },
      },
      async (req) => updateRolePermissions(deps, actorOf(req), req.params.code, req.body.permissions),
    );
  };
}
