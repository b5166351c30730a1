import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { LiveEvent } from './types';

// Which cached lists an entity's change makes stale; every change also adds an audit event.
const QUERY_ROOTS: Record<string, string[]> = {
  'org-unit': ['org-units'],
  user: ['users'],
  role: ['roles', 'me'],
  'work-item': ['work-items'],
  // A resident's change moves household member counts; a household's, its members' records.
  resident: ['residents', 'households'],
  household: ['households', 'residents'],
  'key-group': ['key-groups', 'residents'], // residents show the classes' names
  test_round: ['test-rounds'],
  collection_point: ['test-rounds'],
  sweep: ['test-sweeps'],
};

// Mass testing comes in bursts (every scan at every point is an event): these lists are refreshed
// at most once per THROTTLE_MS, however many events arrive meanwhile.
const THROTTLED_ROOTS: Record<string, string[]> = {
  tube: ['test-coverage', 'test-missing', 'test-summary'],
  test_exemption: ['test-coverage', 'test-missing'],
  lab_result_import: ['test-recalls', 'test-summary', 'work-items', 'residents'],
  sweep_household: ['test-sweeps', 'test-sweep'],
};
const THROTTLE_MS = 5_000;

/** Keeps open screens current: the server announces each committed change over SSE. */
export function useLiveUpdates(userId: string | undefined) {
  const queryClient = useQueryClient();

  useEffect(() => {
    if (!userId) return;
    const pending = new Set<string>();
    let lastFlush = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      lastFlush = Date.now();
      for (const root of pending) void queryClient.invalidateQueries({ queryKey: [root] });
      pending.clear();
    };
    const throttled = (roots: string[]) => {
      for (const root of roots) pending.add(root);
      if (timer === undefined) timer = setTimeout(flush, Math.max(0, lastFlush + THROTTLE_MS - Date.now()));
    };
    const onChange = (message: MessageEvent<string>) => {
      let event: LiveEvent;
      try {
        event = JSON.parse(message.data);
      } catch {
        return; // a malformed message must not break the page; the next one may be fine
      }
      const burst = THROTTLED_ROOTS[event.entity];
      if (burst) return throttled([...burst, 'audit-events']);
      const roots = [...(QUERY_ROOTS[event.entity] ?? []), 'audit-events'];
      if (event.entity === 'user' && event.entityId === userId) roots.push('me'); // own grants changed
      for (const root of roots) void queryClient.invalidateQueries({ queryKey: [root] });
    };

    // EventSource reconnects by itself after network drops; a 401 closes it for good, and the
    // next API call then sends the user to /login, whose new session opens a new stream.
    const source = new EventSource('/api/v1/events');
    // The server names each event after its entity ("event: user"), which onmessage never sees:
    // listen to the entities we know, and to unnamed messages in case the server drops the names.
    const names = [...Object.keys(QUERY_ROOTS), ...Object.keys(THROTTLED_ROOTS), 'message'];
    for (const name of names) source.addEventListener(name, onChange);
    // Whatever changed while the stream was down (a village's network, or the server cut off from
    // the other app servers: it then sends "resync") was never announced: read everything shown again.
    const readAllAgain = () => void queryClient.invalidateQueries();
    source.addEventListener('resync', readAllAgain);
    let opened = false;
    // A stream that failed before it first opened (the app started with no signal) missed what
    // changed while the pages showed the phone's copies: its first opening is a reconnection too.
    let failedFirst = false;
    source.addEventListener('error', () => {
      if (!opened) failedFirst = true;
    });
    source.addEventListener('open', () => {
      if (opened || failedFirst) readAllAgain(); // a reconnection, not the first connection
      opened = true;
    });
    return () => {
      source.close();
      clearTimeout(timer);
    };
  }, [userId, queryClient]);
}
