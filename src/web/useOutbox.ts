import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { Delivery, Outbox, Queued } from './outbox';

/** While writes wait, another try this often (besides when the browser says it is back online). */
const RETRY_EVERY_MS = 15_000;

/**
 * An outbox kept uploading while the component is mounted: at once, whenever the browser comes
 * back online or the page is shown again, and every few seconds while writes wait. Returns what
 * waits and what was refused, live.
 */
export function useOutbox<Item extends Queued, Answer>(
  queue: Outbox<Item, Answer>,
  onDelivery?: (delivery: Delivery<Item, Answer>) => void,
) {
  const items = useSyncExternalStore(queue.subscribe, queue.getSnapshot);
  const refused = useSyncExternalStore(queue.subscribe, queue.getRefused);
  const listener = useRef(onDelivery);
  useEffect(() => {
    listener.current = onDelivery;
  });

  useEffect(() => queue.onDelivery((delivery) => listener.current?.(delivery)), [queue]);

  useEffect(() => {
    const upload = () => void queue.upload();
    const onVisible = () => document.visibilityState === 'visible' && upload();
    const onStorage = (event: StorageEvent) => event.key?.startsWith(queue.storageKey) && queue.reload();
    // What another tab queued or sent while this page was closed.
    queue.reload();
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

  return { items, refused };
}
