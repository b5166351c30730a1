import { queryOptions } from '@tanstack/react-query';
import type { ExemptionReason, SamplingMode, SweepOutcome } from '../domain/testing';
import { api } from './api';
import { keptQueryFn } from './offline';
import type { Page } from './types';

/** Response shapes of the mass-testing calls (src/server/modules/testing/testing-routes.ts). */

export interface TestRound {
  id: string;
  name: string;
  orgUnitId: string;
  orgUnitName: string | null;
  startsOn: string;
  endsOn: string;
  defaultMode: SamplingMode;
  singleTubeKeyGroups: string[];
  /** Called off before anything was sampled: it takes nothing more. */
  cancelledAt: string | null;
  cancelReason: string | null;
  createdAt: string;
}

export interface CollectionPoint {
  id: string;
  roundId: string;
  name: string;
  orgUnitId: string;
  orgUnitName: string | null;
  place: string | null;
  hours: string | null;
  kind: 'fixed' | 'door_to_door';
  samplers: { id: string; displayName: string }[];
  /** 撤点: it takes no more scans. */
  closedAt: string | null;
  /** `manage`: the reader organises testing where it stands (may change, close it). */
  actions: { manage: boolean };
}

export interface TestRoundDetail extends TestRound {
  points: CollectionPoint[];
  /** `cancel`: nothing sampled in it yet (a round under way is ended early by its end date). */
  /** `organise`: points and sweeps may be set up in a part of the round (a community's own). */
  actions: { manage: boolean; organise: boolean; cancel: boolean };
}

export interface Tally {
  due: number;
  sampled: number;
  exempt: number;
  missing: number;
  exemptByReason: Partial<Record<ExemptionReason, number>>;
  /** Of the exempt, those exempt by residence status (away long-term), listed nowhere one by one. */
  exemptByStatus: number;
}

export interface CoverageNode extends Tally {
  orgUnitId: string;
  name: string;
  level: string;
  /** The node's own people, registered on it and in none of its children. */
  direct?: boolean;
}

export interface Coverage extends Tally {
  roundId: string;
  orgUnitId: string;
  orgUnitName: string;
  level: string;
  children: CoverageNode[];
}

export interface MissingPerson {
  id: string;
  name: string;
  phone: string | null;
  address: string;
  residenceStatus: string;
  gridId: string;
  gridName: string;
  householdId: string | null;
  /** Swabbed into a tube the lab found invalid (无效): to be swabbed again. */
  resample: boolean;
  actions: { exempt: boolean };
}

/** A pooled positive's recall of one member: `open` until the single-tube recheck comes back. */
export type RecallState = 'open' | 'negative' | 'positive';

export interface Recall {
  id: string;
  tubeCode: string;
  personId: string;
  name: string;
  /** Null where the user may not read residents (the name then comes masked). */
  address: string | null;
  gridName: string;
  state: RecallState;
  workItemState: string | null;
  assigneeName: string | null;
  /** Sent to a grid: who works it, by name. */
  unitWorkers: string | null;
  /** What was said on the recall's item (the system's words first when it closed it). */
  feedback: string | null;
  createdAt: string;
  closedAt: string | null;
  openMinutes: number;
  /** Open, but sampled alone already: the single tube whose result it waits on. */
  resampledTube: string | null;
  resampledAt: string | null;
}

export interface RoundSummary {
  roundId: string;
  name: string;
  rechecksOpen: number;
  days: {
    day: string;
    /** Swabs (人次); `resampled` of them were people sampled before in the round. */
    sampled: number;
    resampled: number;
    tubes: number;
    resultsIn: number;
    positives: number;
    /** Of the positives, single tubes (a person positive); the rest are pools to recheck. */
    singlePositives: number;
  }[];
}

export interface Sweep {
  id: string;
  name: string;
  orgUnitId: string;
  orgUnitName: string;
  pointId: string;
  createdAt: string;
  households: number;
  visited: number;
  /** The team's names; empty: any sampler of the area. */
  team: string[];
}

export interface SweepHousehold {
  householdId: string;
  address: string;
  gridName: string;
  outcome: SweepOutcome | null;
  note: string | null;
  visitedAt: string | null;
  members: { id: string; name: string; sampled: boolean; exemption: string | null }[];
}

export interface SweepDetail {
  id: string;
  roundId: string;
  pointId: string;
  name: string;
  households: SweepHousehold[];
}

/** What a lab file holds; `applied` and `rechecksCreated` are what a confirm would write (dry run) or wrote. */
export interface LabImportReport {
  dryRun: boolean;
  rows: number;
  applied: number;
  unknownTubes: string[];
  duplicates: number;
  conflicts: string[];
  notReceived: number;
  alreadyRecorded: number;
  positives: number;
  /** Of the positives, single tubes: handed over (转运), the command centre told. */
  singlePositives: number;
  rechecksCreated: number;
  /** Tubes found invalid: their people are sampled again (in a round still running). */
  invalids: number;
  errors: { row: number; column: string; message: string }[];
}

export interface ReceiptReport {
  received: number;
  unknownTubes: string[];
  skipped: number;
  skippedTubes: { tubeCode: string; state: string }[];
}

export interface KeyGroupDueItem {
  personId: string;
  name: string;
  gridName: string;
  classCode: string;
  className: string;
  frequency: string | null;
  lastSampledOn: string | null;
  dueOn: string;
  overdue: boolean;
  dueToday: boolean;
}

export interface KeyGroupDue {
  today: string;
  tomorrow: string;
  overdue: number;
  dueToday: number;
  validHours: number;
  items: KeyGroupDueItem[];
}

/*
 * Cache keys. Each list has its own root, so a live event invalidates exactly the lists it moves
 * (useLiveUpdates): a scan refreshes coverage without refetching the rounds or the points.
 */
export const roundsQuery = (page: number, pageSize: number) =>
  queryOptions({
    queryKey: ['test-rounds', 'list', { page, pageSize }],
    queryFn: () => api.get<Page<TestRound>>('/test-rounds', { page, pageSize }),
  });

/** Rounds, not cancelled, over the people of a unit's area with a day from `from` to `to`. */
export const overlappingRoundsQuery = (orgUnitId: string, from: string, to: string) =>
  queryOptions({
    queryKey: ['test-rounds', 'overlapping', { orgUnitId, from, to }],
    queryFn: () => api.get<Page<TestRound>>('/test-rounds', { orgUnitId, from, to, pageSize: 20 }),
  });

/** A round with its points: kept on the phone, so the sampler's and the door-to-door team's pages open offline. */
export const roundQuery = (id: string) =>
  queryOptions({
    queryKey: ['test-rounds', 'detail', id],
    queryFn: keptQueryFn(`round.${id}`, () => api.get<TestRoundDetail>(`/test-rounds/${id}`)),
  });

export const coverageQuery = (id: string, orgUnitId?: string) =>
  queryOptions({
    queryKey: ['test-coverage', id, orgUnitId ?? 'round'],
    // Not kept on the phone: old figures would pass for live ones (the bulletin is built on them).
    queryFn: () => api.get<Coverage>(`/test-rounds/${id}/coverage`, { orgUnitId }),
  });

/** Share of the due that is done: sampled or exempt. 0 when nobody is due. */
export const donePercent = (tally: Pick<Tally, 'due' | 'sampled' | 'exempt'>) =>
  tally.due > 0 ? Math.min(100, Math.round(((tally.sampled + tally.exempt) / tally.due) * 1000) / 10) : 0;

export const sampledPercent = (tally: Pick<Tally, 'due' | 'sampled'>) =>
  tally.due > 0 ? Math.min(100, Math.round((tally.sampled / tally.due) * 1000) / 10) : 0;

/** Counts with thousands separators, as the statistic cards show them (the same in both languages). */
export const formatCount = (n: number) => n.toLocaleString('en-US');

/** A testing lab (检测机构) kept by the command centre; hand-overs name one. */
export interface Lab {
  id: string;
  name: string;
  orgUnitId: string;
  orgUnitName: string;
  active: boolean;
  members: { id: string; displayName: string }[];
  /** The reader works for this lab. */
  mine: boolean;
  actions: { manage: boolean };
}
