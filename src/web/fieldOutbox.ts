import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from './api';
import { refusalText } from './apiError';
import { newClientId } from './clientIds';
import i18n from './i18n';
import { FIELD_OUTBOX_PREFIX, isServerFailure, worthAnotherTry } from './offline';
import { type Delivery, Outbox, type Queued } from './outbox';
import { useMe } from './useMe';
import { useOutbox } from './useOutbox';

/**
 * What a door-to-door team records at the door, on a phone that may have no signal there: an
 * outcome for a household, an exemption for a person, an exemption withdrawn (found at home after
 * all). Each goes through the phone's outbox (see Outbox): kept on the phone until the server has
 * it, sent with one client id however often, in the order made (an exemption before its withdrawal).
 */
export type FieldWriteKind = 'sweep-outcome' | 'exemption' | 'exemption-withdrawal';
const FIELD_WRITE_KINDS: readonly string[] = ['sweep-outcome', 'exemption', 'exemption-withdrawal'];

export interface FieldWrite extends Queued {
  kind: FieldWriteKind;
  /** The API path it is POSTed to (DELETEd, for a withdrawal). */
  path: string;
  body: Record<string, unknown>;
  /** Whom or what it is about, as the page shows it (an address, a name). */
  label: string;
  /** The record it is about (a household, a person), to show it waiting on its row. */
  subjectId: string;
  /** The sweep or round it belongs to, to list it there. */
  parentId: string;
  /** When it was made (ISO 8601). */
  madeAt: string;
}

const isFieldWrite = (value: unknown): value is FieldWrite => {
  const write = value as Partial<FieldWrite> | null;
  return (
    typeof write === 'object' &&
    write !== null &&
    typeof write.clientId === 'string' &&
    FIELD_WRITE_KINDS.includes(write.kind as string) &&
    typeof write.path === 'string' &&
    typeof write.body === 'object' &&
    write.body !== null &&
    typeof write.label === 'string' &&
    typeof write.subjectId === 'string' &&
    typeof write.parentId === 'string'
  );
};

/** A write's POST that has not answered in this long is tried again later (same client id). */
const WRITE_TIMEOUT_MS = 15_000;

export type FieldDelivery = Delivery<FieldWrite, unknown>;

const outboxes = new Map<string, Outbox<FieldWrite, unknown>>();

/** One outbox per user and browser, shared by every page that fills or shows it. */
export function fieldOutboxOf(userId: string): Outbox<FieldWrite, unknown> {
  let outbox = outboxes.get(userId);
  if (!outbox) {
    outbox = new Outbox<FieldWrite, unknown>({
      storage: localStorage,
      key: `${FIELD_OUTBOX_PREFIX}${userId}`,
      isItem: isFieldWrite,
      // When it was recorded (a door without signal, hours ago) and when this try left, by the
      // phone's clock: the server keeps the former, its clock's error cancelled by the latter.
      send: (write) =>
        write.kind === 'exemption-withdrawal'
          ? // A DELETE has no body: its client id, and when it was made, go in the query.
            api
              .delete<unknown>(
                write.path,
                { clientId: write.clientId, recordedAt: write.madeAt, sentAt: new Date().toISOString() },
                { timeoutMs: WRITE_TIMEOUT_MS },
              )
              .catch((error: unknown) => {
                // Not exempt any more (withdrawn meanwhile by a colleague, or with a corrected door
                // outcome): what the withdrawal was for holds; not a refusal to keep on the list.
                if (error instanceof ApiError && error.status === 404) return { alreadyWithdrawn: true };
                throw error;
              })
          : api.post<unknown>(
              write.path,
              {
                ...write.body,
                clientId: write.clientId,
                recordedAt: write.madeAt,
                sentAt: new Date().toISOString(),
              },
              { timeoutMs: WRITE_TIMEOUT_MS },
            ),
      isTransient: worthAnotherTry,
      isServerFailure,
      isOnline: () => navigator.onLine,
      describeError: (error) => refusalText(error, i18n.language),
      codeOf: (error) => (error instanceof ApiError ? error.code : undefined),
    });
    outboxes.set(userId, outbox);
  }
  return outbox;
}

/**
 * Puts a write in the user's outbox and starts sending it: what became of it is told by
 * useFieldWrites; with no network at all (no try is made) it is said here, at once.
 */
export function useQueueFieldWrite() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { session } = useMe();
  return (write: Omit<FieldWrite, 'clientId' | 'attempts' | 'madeAt'>) => {
    if (!session) return;
    const outbox = fieldOutboxOf(session.user.id);
    outbox.add({ ...write, clientId: newClientId(), madeAt: new Date().toISOString() });
    if (!navigator.onLine) void message.info(t('outbox.kept', { label: write.label }));
    void outbox.upload();
  };
}

/** What waits and what was refused, live (for the pages that show them). */
export function useFieldOutbox() {
  // Pages inside the signed-in shell only: the session is there.
  const { session } = useMe();
  const outbox = fieldOutboxOf(session?.user.id ?? '');
  return { outbox, ...useOutbox(outbox) };
}

/** Whom (or what) writes of a kind still waiting on the phone are about, in a sweep or round. */
export function useWaitingSubjects(kind: FieldWriteKind, parentId: string): Set<string> {
  return waitingSubjects(useFieldOutbox().items, kind, parentId);
}

/** The writes of this kind waiting under a parent (a team's outcomes), among the outbox's writes. */
export function waitingWrites(items: readonly FieldWrite[], kind: FieldWriteKind, parentId: string) {
  return items.filter((w) => w.kind === kind && w.parentId === parentId);
}

/** The subjects with a write of this kind waiting under a parent, among the outbox's writes. */
export function waitingSubjects(items: readonly FieldWrite[], kind: FieldWriteKind, parentId: string) {
  return new Set(waitingWrites(items, kind, parentId).map((w) => w.subjectId));
}

/**
 * Keeps the user's field writes going wherever they are in the app, and says what became of each:
 * saved (with what it did), kept on the phone until the network returns, or refused and why.
 */
export function useFieldWrites(userId: string) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  useOutbox(fieldOutboxOf(userId), (delivery: FieldDelivery) => {
    const { item } = delivery;
    if (delivery.kind === 'deferred') {
      // Said once, on the first try: the list on the page shows it waiting after that.
      if (item.attempts === 1) void message.info(t('outbox.kept', { label: item.label }));
      return;
    }
    if (delivery.kind === 'rejected') {
      void message.error(
        t('outbox.refused', { label: item.label, reason: refusalText(delivery.error, i18n.language) }),
      );
      // What the page showed waiting goes back to what the server holds.
      void queryClient.invalidateQueries({
        queryKey:
          item.kind === 'sweep-outcome'
            ? ['test-sweep', item.parentId]
            : item.kind === 'exemption'
              ? ['test-missing']
              : ['test-exempt'],
      });
      return;
    }
    if (item.kind === 'sweep-outcome') {
      const answer = delivery.answer as {
        exempted?: number;
        exemptionsWithdrawn?: number;
        verificationSent?: boolean;
      };
      void message.success(
        (answer.exempted ?? 0) > 0
          ? t('testing.sweeps.exempted', { count: answer.exempted })
          : (answer.exemptionsWithdrawn ?? 0) > 0
            ? t('testing.sweeps.exemptionsWithdrawn', { count: answer.exemptionsWithdrawn })
            : answer.verificationSent
              ? t('testing.sweeps.movedToVerify', { label: item.label })
              : t('outbox.saved', { label: item.label }),
      );
      void queryClient.invalidateQueries({ queryKey: ['test-sweep', item.parentId] });
      void queryClient.invalidateQueries({ queryKey: ['test-sweeps'] });
    } else {
      if (item.kind === 'exemption')
        void message.success(t('testing.missing.exempted', { name: item.label }));
      else if ((delivery.answer as { alreadyWithdrawn?: boolean } | undefined)?.alreadyWithdrawn)
        void message.info(t('testing.missing.alreadyWithdrawn', { label: item.label }));
      else void message.success(t('outbox.saved', { label: item.label }));
      void queryClient.invalidateQueries({ queryKey: ['test-exempt'] });
    }
    void queryClient.invalidateQueries({ queryKey: ['test-coverage'] });
    void queryClient.invalidateQueries({ queryKey: ['test-missing'] });
  });
}
