import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CT_MAX,
  cleanTubeCode,
  EXEMPTION_REASONS,
  parseCtValue,
  SAMPLING_MODES,
  SWEEP_OUTCOMES,
  TEST_RESULTS,
  TUBE_CODE_PATTERN,
} from '../../../domain/testing.ts';
import type { AppDeps } from '../../platform/deps.ts';
import { pickLocale, rowsIn } from '../../platform/errors/i18n.ts';
import { actorOf } from '../../platform/http/request-context.ts';
import { readUploadedFile } from '../../platform/http/uploads.ts';
import { bilingual, isoDay, isoInstant } from '../../platform/http/validation.ts';
import { sendXlsx } from '../../platform/http/xlsx-reply.ts';
import { pageQuery } from '../../platform/pagination.ts';
import { recordScan } from './scan-service.ts';
import * as service from './testing-service.ts';

const idParams = z.object({ id: z.uuid() });
// Cleaned first (full-width characters, spaces from a scanner or an input method), then judged.
const tubeCode = z
  .string()
  .max(200)
  .transform(cleanTubeCode)
  .pipe(z.string().regex(TUBE_CODE_PATTERN, '管号应为 4–40 位字母、数字或短横线'));
/** A Ct as labs write it (see parseCtValue); stored as the number's text, or null. */
const ctValue = z
  .string()
  .max(20)
  .nullable()
  .optional()
  .transform((value, ctx) => {
    if (value === null || value === undefined) return null;
    const ct = parseCtValue(value);
    if (ct === undefined) {
      ctx.addIssue({
        code: 'custom',
        ...bilingual(
          `Ct 值应为 0–${CT_MAX} 之间的数字（无扩增可留空）`,
          `Ct must be a number of cycles, 0–${CT_MAX} (empty for no amplification)`,
        ),
      });
      return z.NEVER;
    }
    return ct;
  });
const isoDate = isoDay;
/** A node of the round (its whole area when absent), and a page of a list there. */
const nodeQuery = z.object({ orgUnitId: z.uuid().optional() });
const nodePageQuery = nodeQuery.extend(pageQuery);
const tags = ['testing'];

/**
 * Lab result files: 100,000 rows of CSV are about 4 MB. Parsed whole in memory (about 50 times
 * the file's size, measured), so the limit keeps two uploads at once far from the heap's end.
 */
const RESULTS_MAX_BYTES = 10 * 1024 * 1024;

const roundView = z.object({
  id: z.string(),
  name: z.string(),
  orgUnitId: z.string(),
  orgUnitName: z.string().nullable(),
  startsOn: z.string(),
  endsOn: z.string(),
  defaultMode: z.string(),
  singleTubeKeyGroups: z.array(z.string()),
  cancelledAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
  createdAt: z.string(),
});

/** A round's fields, as created and as changed (its area is not changed). */
const roundFields = {
  name: z.string().trim().min(1).max(60),
  startsOn: isoDate,
  endsOn: isoDate,
  defaultMode: z.enum(SAMPLING_MODES),
  singleTubeKeyGroups: z.array(z.string().max(40)).max(100),
};

/** A point's fields, as created and as changed (its unit and kind are not changed). */
const pointFields = {
  name: z.string().trim().min(1).max(60),
  place: z.string().trim().max(200).nullable(),
  hours: z.string().trim().max(100).nullable(),
  samplerUserIds: z.array(z.uuid()).max(200),
};

const pointView = z.object({
  id: z.string(),
  roundId: z.string(),
  name: z.string(),
  orgUnitId: z.string(),
  orgUnitName: z.string().nullable(),
  place: z.string().nullable(),
  hours: z.string().nullable(),
  kind: z.string(),
  samplers: z.array(z.object({ id: z.string(), displayName: z.string() })),
  closedAt: z.string().nullable(),
  actions: z.object({ manage: z.boolean() }),
});

const tubeView = z.object({
  id: z.string(),
  tubeCode: z.string(),
  roundId: z.string(),
  pointId: z.string(),
  mode: z.string(),
  capacity: z.number(),
  memberCount: z.number(),
  state: z.string(),
  sealed: z.boolean(),
  result: z.string().nullable(),
  openedAt: z.string(),
  sealedAt: z.string().nullable(),
  testedAt: z.string().nullable(),
});

const tally = {
  due: z.number(),
  sampled: z.number(),
  exempt: z.number(),
  missing: z.number(),
  exemptByReason: z.record(z.string(), z.number()),
  /** Of the exempt, those exempt by residence status (away long-term) with no exemption recorded. */
  exemptByStatus: z.number(),
};

const rowError = z.object({ row: z.number(), column: z.string(), message: z.string() });

const importReport = z.object({
  dryRun: z.boolean(),
  rows: z.number(),
  applied: z.number(),
  unknownTubes: z.array(z.string()),
  duplicates: z.number(),
  conflicts: z.array(z.string()),
  notReceived: z.number(),
  alreadyRecorded: z.number(),
  positives: z.number(),
  singlePositives: z.number(),
  rechecksCreated: z.number(),
  invalids: z.number(),
  errors: z.array(rowError),
});

/** A results report's row problems in the caller's language (kept in both, as a replay keeps them). */
function inCallersLanguage(req: FastifyRequest, report: service.ImportReport) {
  const locale = pickLocale(req.headers['accept-language']);
  return { ...report, errors: rowsIn(locale, report.errors) };
}

export function testingRoutes(deps: AppDeps): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(multipart, { limits: { fileSize: RESULTS_MAX_BYTES, files: 1, fields: 5 } });

    // ---- rounds and points ----
    app.post(
      '/test-rounds',
      {
        schema: {
          tags,
          summary: '创建核酸检测轮次（范围、日期、默认采样方式）',
          body: z.object({
            ...roundFields,
            orgUnitId: z.uuid(),
            singleTubeKeyGroups: roundFields.singleTubeKeyGroups.optional(),
          }),
          response: { 201: roundView },
        },
      },
      async (req, reply) => reply.status(201).send(await service.createRound(deps, actorOf(req), req.body)),
    );
    app.get(
      '/test-rounds',
      {
        schema: {
          tags,
          summary:
            '检测轮次列表（覆盖本人辖区的轮次）；给出 orgUnitId 与 from/to 时，只列与该单位范围、这些日期重叠且未取消的轮次',
          querystring: z
            .object({
              ...pageQuery,
              /** Rounds whose area contains this unit or lies within it. */
              orgUnitId: z.uuid().optional(),
              /** Rounds with a day from `from` to `to`. */
              from: isoDate.optional(),
              to: isoDate.optional(),
            })
            .refine((q) => !q.from || !q.to || q.from <= q.to, {
              path: ['to'],
              ...bilingual('结束日期不能早于开始日期', 'to is before from'),
            }),
          response: { 200: z.object({ items: z.array(roundView), total: z.number() }) },
        },
      },
      async (req) => service.listRounds(deps, actorOf(req), req.query),
    );
    app.get(
      '/test-rounds/:id',
      {
        schema: {
          tags,
          summary: '轮次详情与采样点',
          params: idParams,
          response: {
            200: roundView.extend({
              points: z.array(pointView),
              actions: z.object({ manage: z.boolean(), organise: z.boolean(), cancel: z.boolean() }),
            }),
          },
        },
      },
      async (req) => service.getRound(deps, actorOf(req), req.params.id),
    );
    app.patch(
      '/test-rounds/:id',
      {
        schema: {
          tags,
          summary: '修改检测轮次（名称、日期、默认采样方式、单管人群）；范围不可改',
          params: idParams,
          body: z.object({
            name: roundFields.name.optional(),
            startsOn: roundFields.startsOn.optional(),
            endsOn: roundFields.endsOn.optional(),
            defaultMode: roundFields.defaultMode.optional(),
            singleTubeKeyGroups: roundFields.singleTubeKeyGroups.optional(),
          }),
          response: { 200: roundView },
        },
      },
      async (req) => service.updateRound(deps, actorOf(req), req.params.id, req.body),
    );
    app.post(
      '/test-rounds/:id/cancel',
      {
        schema: {
          tags,
          summary: '取消检测轮次（仅限尚未采样；需写明原因）',
          params: idParams,
          body: z.object({ reason: z.string().trim().min(1).max(200) }),
          response: { 200: roundView },
        },
      },
      async (req) => service.cancelRound(deps, actorOf(req), req.params.id, req.body.reason),
    );
    app.post(
      '/test-rounds/:id/points',
      {
        schema: {
          tags,
          summary: '添加采样点（名称、位置、时段、采样人员）',
          params: idParams,
          body: z.object({
            name: pointFields.name,
            orgUnitId: z.uuid(),
            place: pointFields.place.optional(),
            hours: pointFields.hours.optional(),
            kind: z.enum(['fixed', 'door_to_door']).optional(),
            samplerUserIds: pointFields.samplerUserIds.optional(),
          }),
          response: { 201: pointView },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await service.addPoint(deps, actorOf(req), req.params.id, req.body)),
    );
    app.patch(
      '/test-rounds/:id/points/:pointId',
      {
        schema: {
          tags,
          summary: '修改采样点（名称、位置、时段、采样人员），撤点或恢复',
          params: z.object({ id: z.uuid(), pointId: z.uuid() }),
          body: z.object({
            name: pointFields.name.optional(),
            place: pointFields.place.optional(),
            hours: pointFields.hours.optional(),
            samplerUserIds: pointFields.samplerUserIds.optional(),
            closed: z.boolean().optional(),
          }),
          response: { 200: pointView },
        },
      },
      async (req) => service.updatePoint(deps, actorOf(req), req.params.id, req.params.pointId, req.body),
    );
    app.get(
      '/test-rounds/:id/points/:pointId/tubes',
      {
        schema: {
          tags,
          summary: '采样点最近的采样管',
          params: z.object({ id: z.uuid(), pointId: z.uuid() }),
          response: { 200: z.object({ items: z.array(tubeView) }) },
        },
      },
      async (req) => service.listTubesOfPoint(deps, actorOf(req), req.params.id, req.params.pointId),
    );

    // ---- coverage, the missing, exemptions ----
    const coverageNode = z.object({
      orgUnitId: z.string(),
      name: z.string(),
      level: z.string(),
      /** The node's own people, in none of its children (present only then, as `true`). */
      direct: z.boolean().optional(),
      ...tally,
    });
    app.get(
      '/test-rounds/:id/coverage',
      {
        schema: {
          tags,
          summary: '应检尽检：应检、已检、免检（按原因）、未检，按下级单位',
          params: idParams,
          querystring: nodeQuery,
          response: {
            200: z.object({
              roundId: z.string(),
              orgUnitId: z.string(),
              orgUnitName: z.string(),
              level: z.string(),
              ...tally,
              children: z.array(coverageNode),
            }),
          },
        },
      },
      async (req) => service.coverage(deps, actorOf(req), req.params.id, req.query.orgUnitId),
    );
    app.get(
      '/test-rounds/:id/missing',
      {
        schema: {
          tags,
          summary: '本轮未检人员名单（手机号脱敏）',
          params: idParams,
          querystring: nodePageQuery,
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  id: z.string(),
                  name: z.string(),
                  phone: z.string().nullable(),
                  address: z.string(),
                  residenceStatus: z.string(),
                  gridId: z.string(),
                  gridName: z.string(),
                  householdId: z.string().nullable(),
                  /** Swabbed into a tube the lab found invalid: to be swabbed again. */
                  resample: z.boolean(),
                  actions: z.object({ exempt: z.boolean() }),
                }),
              ),
              total: z.number(),
            }),
          },
        },
      },
      async (req) => service.listMissingInRound(deps, actorOf(req), req.params.id, req.query),
    );
    const exemptionView = z.object({
      roundId: z.string(),
      personId: z.string(),
      reason: z.string(),
      note: z.string().nullable(),
    });
    app.post(
      '/test-rounds/:id/exemptions',
      {
        schema: {
          tags,
          summary: '登记免检（长期在外、卧床、婴幼儿、住院……）',
          params: idParams,
          body: z.object({
            personId: z.uuid(),
            reason: z.enum(EXEMPTION_REASONS),
            note: z.string().trim().max(200).nullable().optional(),
            /** A retry after a lost answer replays the first (a phone at the door): required. */
            clientId: z.uuid(),
            /** When it was recorded at the door (a phone offline sends it later), by the phone's clock. */
            recordedAt: isoInstant.optional(),
            /** When this try left the phone, by the same clock (see scanInstant). */
            sentAt: isoInstant.optional(),
          }),
          response: { 201: exemptionView },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await service.exemptPerson(deps, actorOf(req), req.params.id, req.body)),
    );
    app.delete(
      '/test-rounds/:id/exemptions/:personId',
      {
        schema: {
          tags,
          summary: '撤销免检（clientId 重试不重复撤销）',
          params: z.object({ id: z.uuid(), personId: z.uuid() }),
          /**
           * A DELETE has no body: the retry's key goes in the query, and, for a withdrawal made at
           * a door without signal, when it was made and sent by the phone's clock (an exemption
           * recorded afresh after it is kept).
           */
          querystring: z.object({
            clientId: z.uuid(),
            recordedAt: isoInstant.optional(),
            sentAt: isoInstant.optional(),
          }),
        },
      },
      async (req, reply) => {
        await service.withdrawExemption(
          deps,
          actorOf(req),
          req.params.id,
          req.params.personId,
          req.query.clientId,
          { recordedAt: req.query.recordedAt, sentAt: req.query.sentAt },
        );
        return reply.status(204).send();
      },
    );

    app.get(
      '/test-rounds/:id/missing.xlsx',
      {
        schema: {
          tags,
          summary: '导出未检名单（手机号脱敏；留痕），供入户采样打印',
          params: idParams,
          querystring: nodeQuery,
        },
      },
      async (req, reply) => {
        const { fileName, data } = await service.exportMissingInRound(
          deps,
          actorOf(req),
          req.params.id,
          req.query.orgUnitId,
          pickLocale(req.headers['accept-language']),
        );
        return sendXlsx(reply, fileName, data);
      },
    );
    app.get(
      '/test-rounds/:id/exemptions',
      {
        schema: {
          tags,
          summary: '本轮免检人员（可撤销）',
          params: idParams,
          querystring: nodePageQuery,
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  id: z.string(),
                  name: z.string(),
                  address: z.string(),
                  gridName: z.string(),
                  reason: z.string(),
                  note: z.string().nullable(),
                  fromSweep: z.boolean(),
                  recordedByName: z.string().nullable(),
                  createdAt: z.string(),
                  actions: z.object({ withdraw: z.boolean() }),
                }),
              ),
              total: z.number(),
            }),
          },
        },
      },
      async (req) => service.listExemptInRound(deps, actorOf(req), req.params.id, req.query),
    );

    // ---- recall list, daily summary ----
    app.get(
      '/test-rounds/:id/recalls',
      {
        schema: {
          tags,
          summary: '混管阳性召回（单管复核）名单与用时',
          params: idParams,
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  id: z.string(),
                  tubeCode: z.string(),
                  personId: z.string(),
                  name: z.string(),
                  address: z.string().nullable(),
                  gridName: z.string(),
                  state: z.string(),
                  workItemState: z.string().nullable(),
                  assigneeName: z.string().nullable(),
                  /** Sent to a grid: who works it, by name (王芳、李强). */
                  unitWorkers: z.string().nullable(),
                  /** What was said on the recall's item (null where residents are not the reader's). */
                  feedback: z.string().nullable(),
                  createdAt: z.string(),
                  closedAt: z.string().nullable(),
                  openMinutes: z.number(),
                  /** Open, but sampled alone already: the single tube whose result it waits on. */
                  resampledTube: z.string().nullable(),
                  resampledAt: z.string().nullable(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => service.listRecalls(deps, actorOf(req), req.params.id),
    );
    app.get(
      '/test-rounds/:id/summary',
      {
        schema: {
          tags,
          summary: '每日汇总（日报用）：采样人数、管数、出结果、阳性、待复核',
          params: idParams,
          response: {
            200: z.object({
              roundId: z.string(),
              name: z.string(),
              rechecksOpen: z.number(),
              days: z.array(
                z.object({
                  day: z.string(),
                  sampled: z.number(),
                  resampled: z.number(),
                  tubes: z.number(),
                  resultsIn: z.number(),
                  positives: z.number(),
                  singlePositives: z.number(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => service.roundSummary(deps, actorOf(req), req.params.id),
    );

    // ---- door-to-door sweeps ----
    app.post(
      '/test-rounds/:id/sweeps',
      {
        schema: {
          tags,
          summary: '组织入户采样：对有未检人员的住户派队',
          params: idParams,
          body: z.object({
            name: z.string().trim().min(1).max(60),
            orgUnitId: z.uuid(),
            samplerUserIds: z.array(z.uuid()).max(200).optional(),
          }),
          response: {
            201: z.object({ id: z.string(), pointId: z.string(), name: z.string(), households: z.number() }),
          },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await service.createSweep(deps, actorOf(req), req.params.id, req.body)),
    );
    app.get(
      '/test-rounds/:id/sweeps',
      {
        schema: {
          tags,
          summary: '入户采样队列表',
          params: idParams,
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  id: z.string(),
                  name: z.string(),
                  orgUnitId: z.string(),
                  orgUnitName: z.string(),
                  pointId: z.string(),
                  createdAt: z.string(),
                  households: z.number(),
                  visited: z.number(),
                  /** The team's names (its point's samplers); empty: any sampler of the area. */
                  team: z.array(z.string()),
                }),
              ),
            }),
          },
        },
      },
      async (req) => service.listSweeps(deps, actorOf(req), req.params.id),
    );
    app.get(
      '/sweeps/:id',
      {
        schema: {
          tags,
          summary: '入户采样：住户与结果',
          params: idParams,
          response: {
            200: z.object({
              id: z.string(),
              roundId: z.string(),
              pointId: z.string(),
              name: z.string(),
              households: z.array(
                z.object({
                  householdId: z.string(),
                  address: z.string(),
                  gridName: z.string(),
                  outcome: z.string().nullable(),
                  note: z.string().nullable(),
                  visitedAt: z.string().nullable(),
                  members: z.array(
                    z.object({
                      id: z.string(),
                      name: z.string(),
                      sampled: z.boolean(),
                      /** The reason a member is exempt in the round (卧床: the one to sample at home). */
                      exemption: z.string().nullable(),
                    }),
                  ),
                }),
              ),
            }),
          },
        },
      },
      async (req) => service.getSweep(deps, actorOf(req), req.params.id),
    );
    app.post(
      '/sweeps/:id/households/:householdId/outcome',
      {
        schema: {
          tags,
          summary: '登记入户结果（已采样、无人在家、拒绝、已搬离→本轮免检）',
          params: z.object({ id: z.uuid(), householdId: z.uuid() }),
          body: z.object({
            outcome: z.enum(SWEEP_OUTCOMES),
            note: z.string().trim().max(200).nullable().optional(),
            /** A retry after a lost answer replays the first (a phone at the door): required. */
            clientId: z.uuid(),
            /** When it was recorded at the door (a phone offline sends it later), by the phone's clock. */
            recordedAt: isoInstant.optional(),
            /** When this try left the phone, by the same clock (see scanInstant). */
            sentAt: isoInstant.optional(),
          }),
          response: {
            200: z.object({
              sweepId: z.string(),
              householdId: z.string(),
              outcome: z.string(),
              note: z.string().nullable(),
              /** Members not sampled exempted as away (outcome 已搬离, by who may exempt there). */
              exempted: z.number().int(),
              /** Exemptions of an earlier 已搬离 withdrawn by a corrected outcome. */
              exemptionsWithdrawn: z.number().int(),
              /** 已搬离 recorded by who may not exempt: the household's grid worker is asked to verify it. */
              verificationSent: z.boolean(),
            }),
          },
        },
      },
      async (req) =>
        service.recordSweepOutcome(deps, actorOf(req), req.params.id, req.params.householdId, req.body),
    );

    // ---- the person code ----
    app.get(
      '/residents/:id/person-code',
      {
        schema: {
          tags,
          summary: '居民核酸码（签名的不透明令牌，不含个人信息）',
          params: idParams,
          response: { 200: z.object({ code: z.string() }) },
        },
      },
      async (req) => service.personCodeOf(deps, actorOf(req), req.params.id),
    );
    app.post(
      '/residents/:id/person-code/renew',
      {
        schema: {
          tags,
          summary: '重新生成核酸码（旧码作废，如截图外传）',
          params: idParams,
          response: { 200: z.object({ code: z.string() }) },
        },
      },
      async (req) => service.renewPersonCode(deps, actorOf(req), req.params.id),
    );

    // ---- sampling ----
    app.post(
      '/sampling/scans',
      {
        schema: {
          tags,
          summary: '扫码采样：核酸码 + 管码（clientId 重试不重复计入）',
          body: z.object({
            clientId: z.uuid(),
            roundId: z.uuid(),
            pointId: z.uuid(),
            personCode: z.string().trim().min(1).max(200),
            tubeCode,
            scannedAt: isoInstant.optional(),
            /** When this try left the phone, by the same clock as scannedAt (see scanInstant). */
            sentAt: isoInstant.optional(),
          }),
          response: {
            201: z.object({
              tubeCode: z.string(),
              memberCount: z.number(),
              capacity: z.number(),
              sealed: z.boolean(),
              mode: z.string(),
              person: z.object({ name: z.string() }),
              /** A recalled person's 单管复核: the positive pool's tube they were recalled from. */
              recheckOf: z.string().optional(),
            }),
          },
        },
      },
      async (req, reply) => reply.status(201).send(await recordScan(deps, actorOf(req), req.body)),
    );
    app.get(
      '/sampling/tubes/:tubeCode',
      {
        schema: {
          tags,
          summary: '采样管：状态与管内人员（姓名脱敏）',
          params: z.object({ tubeCode }),
          response: {
            200: tubeView.extend({
              members: z.array(
                z.object({
                  personId: z.string(),
                  name: z.string(),
                  scannedAt: z.string().nullable(),
                  samplerName: z.string().nullable(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => service.getTube(deps, actorOf(req), req.params.tubeCode),
    );
    app.post(
      '/sampling/tubes/:tubeCode/seal',
      {
        schema: {
          tags,
          summary: '封管',
          params: z.object({ tubeCode }),
          body: z.object({ clientId: z.uuid().optional() }).optional(),
          response: { 200: tubeView },
        },
      },
      async (req) => service.sealTube(deps, actorOf(req), req.params.tubeCode, req.body?.clientId),
    );
    app.post(
      '/sampling/tubes/:tubeCode/members/:personId/remove',
      {
        schema: {
          tags,
          summary: '从未封管的管中移出扫错的人（扫错码、未采样即离开）',
          params: z.object({ tubeCode, personId: z.uuid() }),
          body: z.object({ clientId: z.uuid().optional(), reason: z.string().trim().min(1).max(100) }),
          response: { 200: tubeView },
        },
      },
      async (req) =>
        service.removeFromTube(deps, actorOf(req), req.params.tubeCode, req.params.personId, req.body),
    );
    app.post(
      '/sampling/handovers',
      {
        schema: {
          tags,
          summary: '送检：已封管的管交给实验室',
          body: z.object({
            clientId: z.uuid().optional(),
            roundId: z.uuid(),
            labId: z.uuid(),
            tubeCodes: z.array(tubeCode).min(1).max(5000),
          }),
          response: {
            201: z.object({ id: z.string(), labId: z.string(), labName: z.string(), tubeCount: z.number() }),
          },
        },
      },
      async (req, reply) => reply.status(201).send(await service.handOverTubes(deps, actorOf(req), req.body)),
    );

    // ---- the lab ----
    app.get(
      '/lab/handovers',
      {
        schema: {
          tags,
          summary: '待接收的送检批次（本实验室的，含管号）',
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  id: z.string(),
                  labName: z.string(),
                  roundName: z.string(),
                  tubeCount: z.number(),
                  waiting: z.number(),
                  createdAt: z.string(),
                  createdByName: z.string().nullable(),
                  tubeCodes: z.array(z.string()),
                }),
              ),
            }),
          },
        },
      },
      async (req) => service.listHandoversToReceive(deps, actorOf(req)),
    );
    app.post(
      '/lab/receipts',
      {
        schema: {
          tags,
          summary: '实验室接收样本',
          body: z.object({ tubeCodes: z.array(tubeCode).min(1).max(20000), clientId: z.uuid().optional() }),
          response: {
            200: z.object({
              received: z.number(),
              unknownTubes: z.array(z.string()),
              skipped: z.number(),
              /** Tubes found but not receivable, with their state (opened: not sealed yet; tested). */
              skippedTubes: z.array(z.object({ tubeCode: z.string(), state: z.string() })),
            }),
          },
        },
      },
      async (req) => service.receiveTubes(deps, actorOf(req), req.body),
    );
    app.post(
      '/lab/results/import',
      {
        schema: {
          tags,
          summary: '导入检测结果（CSV 或 xlsx：tubeCode,result,testedAt[,ct]；dryRun=true 只校验）',
          querystring: z.object({ dryRun: z.stringbool().default(true) }),
          response: { 200: importReport },
        },
      },
      async (req) => {
        const { data, filename } = await readUploadedFile(req, { limitBytes: RESULTS_MAX_BYTES });
        return inCallersLanguage(
          req,
          await service.importLabResults(deps, actorOf(req), data, filename || 'results', {
            dryRun: req.query.dryRun,
          }),
        );
      },
    );

    app.post(
      '/lab/results',
      {
        schema: {
          tags,
          summary: '手工录入一管结果',
          body: z.object({
            tubeCode,
            result: z.enum(TEST_RESULTS),
            testedAt: isoInstant.pipe(z.coerce.date()),
            ct: ctValue,
            clientId: z.uuid().optional(),
          }),
          response: { 200: importReport },
        },
      },
      async (req) => inCallersLanguage(req, await service.enterLabResult(deps, actorOf(req), req.body)),
    );
    app.post(
      '/lab/results/correct',
      {
        schema: {
          tags,
          summary: '更正结果：复检把阴性管更正为阳性（写明原因），按阳性处置',
          body: z.object({
            tubeCode,
            result: z.enum(TEST_RESULTS),
            testedAt: isoInstant.pipe(z.coerce.date()),
            ct: ctValue,
            reason: z.string().trim().min(1).max(200),
            clientId: z.uuid().optional(),
          }),
          response: { 200: importReport },
        },
      },
      async (req) => inCallersLanguage(req, await service.correctLabResult(deps, actorOf(req), req.body)),
    );

    // ---- periodic testing of key groups ----
    app.get(
      '/key-group-testing/due',
      {
        schema: {
          tags,
          summary: '重点人群定期检测：应检与逾期',
          querystring: nodeQuery,
          response: {
            200: z.object({
              today: z.string(),
              tomorrow: z.string(),
              overdue: z.number(),
              dueToday: z.number(),
              validHours: z.number(),
              items: z.array(
                z.object({
                  personId: z.string(),
                  name: z.string(),
                  gridName: z.string(),
                  classCode: z.string(),
                  className: z.string(),
                  frequency: z.string().nullable(),
                  lastSampledOn: z.string().nullable(),
                  dueOn: z.string(),
                  overdue: z.boolean(),
                  dueToday: z.boolean(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => service.keyGroupTestingDue(deps, actorOf(req), req.query.orgUnitId),
    );
  };
}
