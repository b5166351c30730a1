import { useEffect, useRef, useSyncExternalStore } from 'react';
import { v4 as uuidv4 } from 'uuid';
import { ApiError, api } from '../api';
import { type Delivery, ScanQueue } from './scanQueue';
import type { ScanAnswer } from './types';

/** While scans wait, another try this often (besides when the browser says it is back online). */
const RETRY_EVERY_MS = 15_000;

const queues = new Map<string, ScanQueue<ScanAnswer>>();
const storageKeyOf = (userId: string) => `gridwatch.sampling.queue.${userId}`;

/** No network, a proxy's or the server's failure, a session to renew: worth another try. */
const isTransient = (error: unknown) =>
  !(error instanceof ApiError) ||
  error.status === 0 ||
  error.status === 401 ||
  error.status === 408 ||
  error.status === 429 ||
  error.status >= 500;

/** One queue per user and browser, shared by every component that shows or fills it. */
export function scanQueueOf(userId: string): ScanQueue<ScanAnswer> {
  let queue = queues.get(userId);
  if (!queue) {
    queue = new ScanQueue<ScanAnswer>({
      storage: localStorage,
      key: storageKeyOf(userId),
      send: ({ clientId, roundId, pointId, personCode, tubeCode, scannedAt }) =>
        api.post<ScanAnswer>('/sampling/scans', {
          clientId,
          roundId,
          pointId,
          personCode,
          tubeCode,
          scannedAt,
        }),
      isTransient,
      isOnline: () => navigator.onLine,
      describeError: (error) => (error instanceof Error ? error.message : String(error)),
    });
    queues.set(userId, queue);
  }
  return queue;
}

/** The idempotency key of a new scan; `crypto.randomUUID` exists only on HTTPS and localhost. */
export const newClientId = () => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : uuidv4());

/**
 * The user's scan queue, kept uploading while the page is open: at once, whenever the browser
 * comes back online or the page is shown again, and every few seconds while scans wait.
 */
export function useScanQueue(userId: string, onDelivery: (delivery: Delivery<ScanAnswer>) => void) {
  const queue = scanQueueOf(userId);
  const items = useSyncExternalStore(queue.subscribe, queue.getSnapshot);
  const listener = useRef(onDelivery);
  useEffect(() => {
    listener.current = onDelivery;
  });

  useEffect(() => queue.onDelivery((delivery) => listener.current(delivery)), [queue]);

  useEffect(() => {
    const upload = () => void queue.upload();
    const onVisible = () => document.visibilityState === 'visible' && upload();
    const onStorage = (event: StorageEvent) =>
      event.key?.startsWith('gridwatch.sampling.queue.') && queue.reload();
    upload();
    window.addEventListener('online', upload);
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('storage', onStorage);
    const timer = window.setInterval(() => queue.getSnapshot().length > 0 && upload(), RETRY_EVERY_MS);
    return () => {
      window.removeEventListener('online', upload);
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('storage', onStorage);
      window.clearInterval(timer);
    };
  }, [queue]);

  return { queue, items };
}
