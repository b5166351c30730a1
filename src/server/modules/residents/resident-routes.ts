import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { localDay } from '../../../domain/dates.ts';
import { RESIDENT_ADDRESS_MAX } from '../../../domain/residents.ts';
import type { AppDeps } from '../../platform/deps.ts';
import { pickLocale, rowsIn } from '../../platform/errors/i18n.ts';
import { actorOf } from '../../platform/http/request-context.ts';
import { readUploadedFile } from '../../platform/http/uploads.ts';
import { sendXlsx } from '../../platform/http/xlsx-reply.ts';
import { listOf, pageQuery } from '../../platform/pagination.ts';
import { exportResidents, importResidents, importTemplate } from './resident-import-service.ts';
import * as s from './resident-schemas.ts';
import * as service from './resident-service.ts';

const idParams = z.object({ id: z.uuid() });

/** Uploads larger than this answer 413; a 100,000-row registry file is about 6 MB. */
export const IMPORT_MAX_BYTES = 30 * 1024 * 1024;

const importReport = z.object({
  total: z.number(),
  valid: z.number(),
  imported: z.number(),
  errors: z.array(z.object({ row: z.number(), column: z.string(), message: z.string() })),
});

export function residentRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(multipart, { limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 5 } });

    app.get(
      '/residents/import-template.xlsx',
      {
        schema: {
          tags: ['residents'],
          summary: '下载居民导入模板（证件号码列为文本，网格和居住状态带下拉）',
        },
      },
      async (req, reply) => {
        return sendXlsx(reply, '居民导入模板.xlsx', await importTemplate(deps, actorOf(req)));
      },
    );
    app.post(
      '/residents/import',
      {
        schema: {
          tags: ['residents'],
          summary: '导入居民（multipart 字段 file；dryRun=true 只校验不写入）',
          querystring: z.object({ dryRun: z.stringbool().default(true) }),
          response: { 200: importReport },
        },
      },
      async (req) => {
        const { data } = await readUploadedFile(req, { limitBytes: IMPORT_MAX_BYTES });
        const report = await importResidents(deps, actorOf(req), data, { dryRun: req.query.dryRun });
        return { ...report, errors: rowsIn(pickLocale(req.headers['accept-language']), report.errors) };
      },
    );
    app.get(
      '/residents/export.xlsx',
      {
        schema: {
          tags: ['residents'],
          summary: '导出当前查询（默认脱敏；unmasked=true 需权限；均留痕）',
          querystring: s.residentQuery.extend({ unmasked: z.stringbool().optional() }),
        },
      },
      async (req, reply) => {
        const stream = await exportResidents(deps, actorOf(req), req.query);
        return sendXlsx(reply, `居民-${localDay()}.xlsx`, stream);
      },
    );
    app.get(
      '/residents',
      {
        schema: {
          tags: ['residents'],
          summary: '居民列表与搜索（姓名、拼音/首字母、身份证号、尾号、地址）',
          querystring: s.residentQuery.extend(pageQuery),
          response: { 200: listOf(s.residentView) },
        },
      },
      async (req) => service.listResidents(deps, actorOf(req), req.query),
    );
    app.get(
      '/residents/counts',
      {
        schema: {
          tags: ['residents'],
          summary: '底数：按居住状态和重点人群统计',
          querystring: z.object({ orgUnitId: z.uuid().optional() }),
          response: {
            200: z.object({
              total: z.number(),
              byResidenceStatus: z.record(z.string(), z.number()),
              byKeyGroup: z.record(z.string(), z.number()),
            }),
          },
        },
      },
      async (req) => service.countResidentsIn(deps, actorOf(req), req.query.orgUnitId),
    );
    app.post(
      '/residents',
      {
        schema: {
          tags: ['residents'],
          summary: '登记居民',
          body: s.createResidentBody,
          response: { 201: s.residentView },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await service.createResident(deps, actorOf(req), req.body)),
    );
    app.get(
      '/residents/:id',
      {
        schema: {
          tags: ['residents'],
          summary: '居民详情',
          params: idParams,
          response: { 200: s.residentDetailView },
        },
      },
      async (req) => service.getResident(deps, actorOf(req), req.params.id),
    );
    app.patch(
      '/residents/:id',
      {
        schema: {
          tags: ['residents'],
          summary: '修改或迁移居民',
          params: idParams,
          body: s.updateResidentBody,
          response: { 200: s.residentView },
        },
      },
      async (req) => service.updateResident(deps, actorOf(req), req.params.id, req.body),
    );
    app.post(
      '/residents/:id/unmask',
      {
        schema: {
          tags: ['residents'],
          summary: '查看完整证件号、手机号和出生日期（需权限，留痕）',
          params: idParams,
          response: {
            200: z.object({
              idNumber: z.string(),
              phone: z.string().nullable(),
              birthDate: z.string().nullable(),
            }),
          },
        },
      },
      async (req) => service.unmaskResident(deps, actorOf(req), req.params.id),
    );
    app.post(
      '/residents/:id/statuses',
      {
        schema: {
          tags: ['residents'],
          summary: '记录状态（健康码、核酸、管控、行程卡）',
          params: idParams,
          body: s.statusBody,
          response: { 200: s.residentView },
        },
      },
      async (req) => service.recordStatus(deps, actorOf(req), req.params.id, req.body),
    );
    app.post(
      '/residents/:id/merge',
      {
        schema: {
          tags: ['residents'],
          summary: '合并重复记录',
          params: idParams,
          body: z.object({
            duplicateId: z.uuid(),
            /** The records differ in name, birth date or sex (409 RECORDS_DIFFER): merged all the same. */
            confirmDifferences: z.boolean().optional(),
          }),
          response: { 200: s.residentView },
        },
      },
      async (req) =>
        service.mergeResidents(deps, actorOf(req), req.params.id, req.body.duplicateId, {
          confirmDifferences: req.body.confirmDifferences,
        }),
    );

    app.get(
      '/households',
      {
        schema: {
          tags: ['residents'],
          summary: '住户列表',
          querystring: z.object({
            gridId: z.uuid().optional(),
            q: z.string().trim().max(100).optional(),
            ...pageQuery,
          }),
          response: { 200: listOf(s.householdView) },
        },
      },
      async (req) => service.listHouseholds(deps, actorOf(req), req.query),
    );
    app.post(
      '/households',
      {
        schema: {
          tags: ['residents'],
          summary: '新增住户',
          body: s.createHouseholdBody,
          response: { 201: s.householdView },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await service.createHousehold(deps, actorOf(req), req.body)),
    );
    app.post(
      '/households/:id/move',
      {
        schema: {
          tags: ['residents'],
          summary: '整户迁移到另一网格',
          params: idParams,
          body: z.object({
            gridId: z.uuid(),
            /** Their address in the new grid (a household moving grid moves home); kept if not given. */
            address: z.string().trim().min(1).max(RESIDENT_ADDRESS_MAX).optional(),
          }),
          response: { 200: s.householdView },
        },
      },
      async (req) => service.moveHouseholdTo(deps, actorOf(req), req.params.id, req.body),
    );

    app.get(
      '/key-groups',
      { schema: { tags: ['residents'], summary: '重点人群分类', response: { 200: listOf(s.keyGroupView) } } },
      async () => service.listKeyGroups(deps),
    );
    app.post(
      '/key-groups',
      {
        schema: {
          tags: ['residents'],
          summary: '新增重点人群分类',
          body: s.createKeyGroupBody,
          response: { 201: s.keyGroupView },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await service.createKeyGroup(deps, actorOf(req), req.body)),
    );
    app.patch(
      '/key-groups/:code',
      {
        schema: {
          tags: ['residents'],
          summary: '修改重点人群分类',
          params: z.object({ code: z.string().min(1).max(50) }),
          body: s.updateKeyGroupBody,
          response: { 200: s.keyGroupView },
        },
      },
      async (req) => service.updateKeyGroup(deps, actorOf(req), req.params.code, req.body),
    );
  };
}
