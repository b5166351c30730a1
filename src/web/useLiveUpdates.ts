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
};

/** Keeps open screens current: the server announces each committed change over SSE. */
export function useLiveUpdates(userId: string | undefined) {
  const queryClient = useQueryClient();

  useEffect(() => {
    if (!userId) return;
    const onChange = (message: MessageEvent<string>) => {
      let event: LiveEvent;
      try {
        event = JSON.parse(message.data);
      } catch {
        return; // a malformed message must not break the page; the next one may be fine
      }
      const roots = [...(QUERY_ROOTS[event.entity] ?? []), 'audit-events'];
      if (event.entity === 'user' && event.entityId === userId) roots.push('me'); // own grants changed
      for (const root of roots) void queryClient.invalidateQueries({ queryKey: [root] });
    };

    // EventSource reconnects by itself after network drops; a 401 closes it for good, and the
    // next API call then sends the user to /login, whose new session opens a new stream.
    const source = new EventSource('/api/v1/events');
    // The server names each event after its entity ("event: user"), which onmessage never sees:
    // listen to the entities we know, and to unnamed messages in case the server drops the names.
    for (const name of [...Object.keys(QUERY_ROOTS), 'message']) source.addEventListener(name, onChange);
    return () => source.close();
  }, [userId, queryClient]);
}
