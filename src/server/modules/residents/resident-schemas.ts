import { z } from 'zod';
import { parseDistrictDateTime } from '../../../domain/dates.ts';
import { DOCUMENT_TYPES } from '../../../domain/id-number.ts';
import {
  RESIDENCE_STATUSES,
  RESIDENT_ADDRESS_MAX,
  RESIDENT_NAME_MAX,
  STATUS_KINDS,
} from '../../../domain/residents.ts';
import { parseTestingFrequency, RECORDABLE_STATUS_VALUES } from '../../../domain/testing.ts';
import { bilingual, isoDay } from '../../platform/http/validation.ts';
import { phoneSchema } from '../../platform/users/user-schemas.ts';

const statusView = z.object({
  kind: z.string(),
  value: z.string(),
  observedAt: z.string(),
  validUntil: z.string().nullable(),
  source: z.string(),
  recordedByName: z.string().nullable(),
});

export const residentView = z.object({
  id: z.string(),
  name: z.string(),
  documentType: z.string(),
  idNumber: z.string(),
  phone: z.string().nullable(),
  /** Always null here: the birth date is digits 7–14 of the ID number (see the unmask answer). */
  birthDate: z.string().nullable(),
  /** Whole years, from the birth date. */
  age: z.number().nullable(),
  sex: z.string().nullable(),
  gridId: z.string(),
  gridName: z.string(),
  householdId: z.string().nullable(),
  address: z.string(),
  residenceStatus: z.string(),
  keyGroups: z.array(z.object({ code: z.string(), name: z.string(), source: z.string(), since: z.string() })),
  statuses: z.record(z.string(), statusView),
  synthetic: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  actions: z.object({ update: z.boolean(), unmask: z.boolean(), merge: z.boolean() }),
});

export const residentDetailView = residentView.extend({
  household: z
    .object({
      id: z.string(),
      address: z.string(),
      members: z.array(z.object({ id: z.string(), name: z.string(), residenceStatus: z.string() })),
    })
    .nullable(),
  statusHistory: z.array(statusView),
});

/**
 * A time as ISO text: a day (2022-04-10: its midnight in the district) or an instant with its
 * offset. 2022-02-30 is refused, not rolled over into March as Date would.
 */
const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], {
    error: bilingual('应为日期或时间，如 2022-04-10 或 2022-04-10T08:30:00+08:00', 'A date or an ISO time')
      .message,
  })
  .transform((value) => (value.length === 10 ? (parseDistrictDateTime(value) as Date) : new Date(value)))
  .refine(
    (d) => d.getUTCFullYear() >= 2000 && d.getUTCFullYear() <= 2100,
    bilingual('日期超出范围', 'Date out of range'),
  );

const name = z.string().trim().min(1).max(RESIDENT_NAME_MAX);
const address = z.string().trim().min(1).max(RESIDENT_ADDRESS_MAX);

export const createResidentBody = z.object({
  name,
  documentType: z.enum(DOCUMENT_TYPES).optional(),
  idNumber: z.string().trim().min(1).max(40),
  phone: phoneSchema.optional(),
  gridId: z.uuid().optional(),
  householdId: z.uuid().optional(),
  address,
  residenceStatus: z.enum(RESIDENCE_STATUSES),
  keyGroups: z.array(z.string().max(50)).max(30).optional(),
});

export const updateResidentBody = createResidentBody.partial();

export const residentQuery = z.object({
  q: z.string().trim().max(100).optional(),
  orgUnitId: z.uuid().optional(),
  gridId: z.uuid().optional(),
  residenceStatus: z.enum(RESIDENCE_STATUSES).optional(),
  keyGroup: z.string().trim().max(50).optional(),
  householdId: z.uuid().optional(),
});

const valueNotInList = bilingual(
  '请从列表中选择该类型的状态',
  'Choose one of the values listed for this kind',
);

export const statusBody = z
  .object({
    kind: z.enum(STATUS_KINDS),
    /** One of the kind's codes (RECORDABLE_STATUS_VALUES): green, quarantined, star… */
    value: z.string().trim().min(1).max(50),
    // An ISO date or instant written out (a number or `true` is no date), of a real calendar day.
    observedAt: instant.optional(),
    validUntil: instant.nullable().optional(),
    source: z.string().trim().min(1).max(100),
    /** A check recorded at the door: its retry after a lost answer replays the first. Required: a
     * field write without one would be written twice by a retry. */
    clientId: z.uuid(),
  })
  .superRefine((body, ctx) => {
    if (!RECORDABLE_STATUS_VALUES[body.kind]?.includes(body.value))
      ctx.addIssue({ code: 'custom', path: ['value'], ...valueNotInList });
  });

export const householdView = z.object({
  id: z.string(),
  gridId: z.string(),
  gridName: z.string(),
  address: z.string(),
  memberCount: z.number(),
});

const isoDate = isoDay;
export const keyGroupView = z.object({
  code: z.string(),
  name: z.string(),
  testingFrequency: z.string().nullable(),
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
  active: z.boolean(),
});
export const createKeyGroupBody = z.object({
  code: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .regex(/^[a-z0-9_-]+$/),
  name: z.string().trim().min(1).max(60),
  // Only wordings the due list understands: a frequency it cannot read would drop the class from
  // periodic testing without a word.
  testingFrequency: z
    .string()
    .trim()
    .max(60)
    .refine(
      (v) => v === '' || parseTestingFrequency(v) !== null,
      bilingual(
        '无法识别的检测频次，请写成如“每天”“每2天1次”“每周2次”“三天两检”“每周二、周五”',
        'Unrecognised frequency: write e.g. 每天, 每2天1次, 每周2次, 三天两检, 每周二、周五',
      ),
    )
    .nullable()
    .optional(),
  effectiveFrom: isoDate,
  effectiveTo: isoDate.nullable().optional(),
});
export const updateKeyGroupBody = createKeyGroupBody.omit({ code: true }).partial();

export const createHouseholdBody = z.object({ gridId: z.uuid(), address: z.string().trim().min(1).max(200) });
