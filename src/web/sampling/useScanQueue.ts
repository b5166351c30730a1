import { labelled } from '../../domain/language';
import { ApiError, api } from '../api';
import { refusalText } from '../apiError';
import i18n from '../i18n';
import { isServerFailure, worthAnotherTry } from '../offline';
import { type Delivery, Outbox, type Queued, UnreadableAnswer } from '../outbox';
import { useOutbox } from '../useOutbox';
import type { ScanAnswer } from './types';

/** One scan waiting for the server: everything its POST needs. */
export interface PendingScan extends Queued {
  roundId: string;
  pointId: string;
  personCode: string;
  tubeCode: string;
  /** When it was scanned (ISO 8601, UTC); the server records this, not the upload time. */
  scannedAt: string;
}

export const isPendingScan = (value: unknown): value is PendingScan => {
  const scan = value as Partial<PendingScan> | null;
  return (
    typeof scan === 'object' &&
    scan !== null &&
    typeof scan.clientId === 'string' &&
    typeof scan.roundId === 'string' &&
    typeof scan.pointId === 'string' &&
    typeof scan.personCode === 'string' &&
    typeof scan.tubeCode === 'string' &&
    typeof scan.scannedAt === 'string'
  );
};

/** The sampler's outbox: every scan goes through it (see Outbox). */
export type ScanQueue = Outbox<PendingScan, ScanAnswer>;
export type ScanDelivery = Delivery<PendingScan, ScanAnswer>;

/** A scan's POST that has not answered in this long is tried again later (same client id). */
const SCAN_TIMEOUT_MS = 15_000;

const queues = new Map<string, ScanQueue>();
const storageKeyOf = (userId: string) => `gridwatch.sampling.queue.${userId}`;

const isScanAnswer = (value: unknown): value is ScanAnswer => {
  const answer = value as Partial<ScanAnswer> | null;
  return (
    typeof answer?.tubeCode === 'string' &&
    typeof answer.memberCount === 'number' &&
    typeof answer.capacity === 'number' &&
    typeof answer.person?.name === 'string'
  );
};

/**
 * What the sampler is told of a failure: the server's words, and for an already-sampled person
 * the tube they are in; a forged or mistyped code is a 400 naming the field, whose own words say more.
 */
export function describeScanError(error: unknown): string {
  if (error instanceof UnreadableAnswer) return i18n.t('sampling.queue.badAnswer');
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  return withPerson(error, describeRefusal(error));
}

function describeRefusal(error: ApiError): string {
  if (error.code === 'ALREADY_SAMPLED') {
    const tubeCode = error.details.tubeCode;
    return i18n.t('sampling.result.titled', {
      title: i18n.t('sampling.result.alreadySampled'),
      detail:
        typeof tubeCode === 'string'
          ? i18n.t('sampling.result.alreadySampledIn', { tubeCode })
          : error.message,
    });
  }
  return error.fields.personCode ?? refusalText(error, i18n.language);
}

/** The person a refusal is about (masked), when the server named them: 张*：此人本轮已采样…. */
export function withPerson(error: ApiError, text: string): string {
  const person = error.details.person as { name?: unknown } | undefined;
  return typeof person?.name === 'string' ? labelled(person.name, text, i18n.language) : text;
}

/** One queue per user and browser, shared by every component that shows or fills it. */
export function scanQueueOf(userId: string): ScanQueue {
  let queue = queues.get(userId);
  if (!queue) {
    queue = new Outbox<PendingScan, ScanAnswer>({
      storage: localStorage,
      key: storageKeyOf(userId),
      isItem: isPendingScan,
      send: ({ clientId, roundId, pointId, personCode, tubeCode, scannedAt }) =>
        api.post<ScanAnswer>(
          '/sampling/scans',
          // sentAt, read by the same clock as scannedAt: the server takes the delay between the
          // two, not the phone's clock, which may be hours off (reset by a flat battery).
          { clientId, roundId, pointId, personCode, tubeCode, scannedAt, sentAt: new Date().toISOString() },
          { timeoutMs: SCAN_TIMEOUT_MS },
        ),
      isAnswer: isScanAnswer,
      isTransient: worthAnotherTry,
      isServerFailure,
      isOnline: () => navigator.onLine,
      describeError: describeScanError,
      codeOf: (error) => (error instanceof ApiError ? error.code : undefined),
    });
    queues.set(userId, queue);
  }
  return queue;
}

/** The user's scan queue, kept uploading while the page is open (see useOutbox). */
export function useScanQueue(userId: string, onDelivery: (delivery: ScanDelivery) => void) {
  const queue = scanQueueOf(userId);
  const { items, refused } = useOutbox(queue, onDelivery);
  return { queue, items, refused };
}
