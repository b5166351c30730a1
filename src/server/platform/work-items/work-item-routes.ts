import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WORK_ITEM_STATES } from '../../../domain/permissions.ts';
import type { AppDeps } from '../deps.ts';
import { actorOf } from '../http/request-context.ts';
import { dateInRange } from '../http/validation.ts';
import { listOf, pageQuery } from '../pagination.ts';
import { assignWorkItem, contactForWorkItem, giveFeedback, listWorkItems } from './work-item-service.ts';

const workItemView = z.object({
  id: z.string(),
  type: z.string(),
  title: z.string(),
  /** A system item's particulars (name, address, tube…): its title in the reader's language. */
  details: z
    .object({
      name: z.string().optional(),
      address: z.string().optional(),
      tubeCode: z.string().optional(),
      sweepName: z.string().optional(),
      note: z.string().optional(),
      /** A recheck's person sampled alone already: the single tube its result is awaited in. */
      resampledTube: z.string().optional(),
    })
    .nullable(),
  subjectEntity: z.string().nullable(),
  subjectId: z.string().nullable(),
  assigneeUserId: z.string().nullable(),
  assigneeUserName: z.string().nullable(),
  assigneeOrgUnitId: z.string().nullable(),
  assigneeOrgUnitName: z.string().nullable(),
  dueAt: z.string().nullable(),
  state: z.string(),
  feedback: z.string().nullable(),
  createdAt: z.string(),
  actions: z.object({ feedback: z.boolean(), cancel: z.boolean(), call: z.boolean() }),
});

export function workItemRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/work-items',
      {
        schema: {
          tags: ['work-items'],
          summary: '待办列表（mine=true：我的待办）',
          querystring: z.object({
            mine: z.stringbool().optional(),
            state: z.enum(WORK_ITEM_STATES).optional(),
            type: z.string().trim().max(60).optional(),
            ...pageQuery,
          }),
          response: { 200: listOf(workItemView) },
        },
      },
      async (req) => listWorkItems(deps, actorOf(req), req.query),
    );
    app.post(
      '/work-items',
      {
        schema: {
          tags: ['work-items'],
          summary: '派发待办（到人或到单位）',
          body: z.object({
            clientId: z.uuid().optional(),
            type: z.string().trim().min(1).max(60),
            title: z.string().trim().min(1).max(200),
            assigneeUserId: z.uuid().optional(),
            assigneeOrgUnitId: z.uuid().optional(),
            dueAt: dateInRange.optional(),
          }),
          response: { 201: workItemView },
        },
      },
      async (req, reply) => {
        const { clientId, ...input } = req.body;
        return reply.status(201).send(await assignWorkItem(deps, actorOf(req), input, clientId));
      },
    );
    app.post(
      '/work-items/:id/feedback',
      {
        schema: {
          tags: ['work-items'],
          summary: '反馈、办结或取消待办（clientId 保证重试不重复）',
          params: z.object({ id: z.uuid() }),
          body: z.object({
            clientId: z.uuid(),
            feedback: z.string().trim().min(1).max(2000),
            done: z.boolean().optional(),
            cancel: z.boolean().optional(),
          }),
          response: { 200: workItemView },
        },
      },
      async (req) => giveFeedback(deps, actorOf(req), req.params.id, req.body),
    );
    app.post(
      '/work-items/:id/contact',
      {
        schema: {
          tags: ['work-items'],
          summary: '查看待办所涉人员的电话（召回、重采、阳性处置的负责人；留痕）',
          params: z.object({ id: z.uuid() }),
          response: { 200: z.object({ phone: z.string().nullable() }) },
        },
      },
      async (req) => contactForWorkItem(deps, actorOf(req), req.params.id),
    );
  };
}
