import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ORG_LEVELS, ORG_UNIT_CODE_MAX, ORG_UNIT_NAME_MAX } from '../../../domain/permissions.ts';
import type { AppDeps } from '../../platform/deps.ts';
import { actorOf } from '../../platform/http/request-context.ts';
import { listOf, pageQuery } from '../../platform/pagination.ts';
import { createOrgUnit, getOrgUnit, listOrgUnits, updateOrgUnit } from './org-service.ts';

const orgUnitView = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  level: z.string(),
  code: z.string().nullable(),
  path: z.string(),
  childCount: z.number(),
  /** The parent unit's name: names repeat across communities (第一网格). */
  parentName: z.string().nullable(),
  actions: z.object({ update: z.boolean(), createChild: z.boolean() }),
});

const name = z.string().trim().min(1).max(ORG_UNIT_NAME_MAX);
const code = z.string().trim().max(ORG_UNIT_CODE_MAX).nullable();

export function orgRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/org-units',
      {
        schema: {
          tags: ['org'],
          summary: '组织单位：管辖根节点、下级或按名称搜索',
          querystring: z.object({
            roots: z.stringbool().optional(),
            parentId: z.uuid().optional(),
            q: z.string().trim().max(60).optional(),
            level: z.enum(ORG_LEVELS).optional(),
            /** Only units within this one's subtree (roots: its top, or the actor's tops inside it). */
            within: z.uuid().optional(),
            ...pageQuery,
          }),
          response: { 200: listOf(orgUnitView) },
        },
      },
      async (req) => listOrgUnits(deps, actorOf(req), req.query),
    );
    app.post(
      '/org-units',
      {
        schema: {
          tags: ['org'],
          summary: '新增组织单位',
          body: z.object({ parentId: z.uuid(), name, level: z.enum(ORG_LEVELS), code: code.optional() }),
          response: { 201: orgUnitView },
        },
      },
      async (req, reply) => reply.status(201).send(await createOrgUnit(deps, actorOf(req), req.body)),
    );
    app.get(
      '/org-units/:id',
      {
        schema: {
          tags: ['org'],
          summary: '组织单位详情',
          params: z.object({ id: z.uuid() }),
          response: {
            200: orgUnitView.extend({
              ancestors: z.array(z.object({ id: z.string(), name: z.string(), level: z.string() })),
            }),
          },
        },
      },
      async (req) => getOrgUnit(deps, actorOf(req), req.params.id),
    );
    app.patch(
      '/org-units/:id',
      {
        schema: {
          tags: ['org'],
          summary: '修改组织单位',
          params: z.object({ id: z.uuid() }),
          body: z.object({ name: name.optional(), code: code.optional() }),
          response: { 200: orgUnitView },
        },
      },
      async (req) => updateOrgUnit(deps, actorOf(req), req.params.id, req.body),
    );
  };
}
