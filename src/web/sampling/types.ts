import type { SamplingMode } from '../../domain/testing';

/** Response shapes of the testing routes the sampler's pages read (see testing-routes.ts). */

export interface TestRound {
  id: string;
  name: string;
  orgUnitId: string;
  orgUnitName: string | null;
  startsOn: string;
  endsOn: string;
  defaultMode: SamplingMode;
  singleTubeKeyGroups: string[];
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
  kind: string;
  samplers: { id: string; displayName: string }[];
}

export interface TestRoundDetail extends TestRound {
  points: CollectionPoint[];
  actions: { manage: boolean };
}

export interface Tube {
  id: string;
  tubeCode: string;
  roundId: string;
  pointId: string;
  mode: SamplingMode;
  capacity: number;
  memberCount: number;
  state: string;
  sealed: boolean;
  result: string | null;
  openedAt: string;
  sealedAt: string | null;
  testedAt: string | null;
}

export interface TubeDetail extends Tube {
  /** Names masked (张*三). */
  members: { name: string; scannedAt: string | null; samplerName: string | null }[];
}

/** The server's answer to one scan. */
export interface ScanAnswer {
  tubeCode: string;
  memberCount: number;
  capacity: number;
  sealed: boolean;
  mode: SamplingMode;
  person: { name: string };
}
