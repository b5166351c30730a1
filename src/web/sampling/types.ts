import type { SamplingMode } from '../../domain/testing';

/** Response shapes of the testing routes the sampler's pages read (see testing-routes.ts). */

// Rounds and points are the same shapes the testing pages read: one definition.
export type { CollectionPoint, TestRound, TestRoundDetail } from '../testingTypes';

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
  members: { personId: string; name: string; scannedAt: string | null; samplerName: string | null }[];
}

/** The server's answer to one scan. */
export interface ScanAnswer {
  tubeCode: string;
  memberCount: number;
  capacity: number;
  sealed: boolean;
  mode: SamplingMode;
  person: { name: string };
  /** A recalled person's 单管复核: the positive pool's tube they were recalled from. */
  recheckOf?: string;
}
