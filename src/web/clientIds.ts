import { useMemo, useRef } from 'react';
import { v4 as uuidv4 } from 'uuid';

/** The idempotency key of a new write; `crypto.randomUUID` exists only on HTTPS and localhost. */
export const newClientId = () => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : uuidv4());

/**
 * One client id per intent (this tube sealed, these tubes to this lab, this outcome at this door),
 * kept across taps: a write whose answer was lost, tapped again, replays the first answer instead
 * of writing twice or being refused as done already. Another intent gets a new id; `settle` ends
 * the intent once answered, so the same words later (a second visit) are a new write.
 */
export function useIntentIds() {
  const current = useRef<{ key: string; clientId: string }>(undefined);
  return useMemo(
    () => ({
      idFor(intent: unknown): string {
        const key = JSON.stringify(intent);
        if (current.current?.key !== key) current.current = { key, clientId: newClientId() };
        return current.current.clientId;
      },
      settle() {
        current.current = undefined;
      },
    }),
    [],
  );
}
