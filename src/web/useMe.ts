import { type QueryClient, useQuery } from '@tanstack/react-query';
import type { Permission } from '../domain/permissions';
import { ApiError, api } from './api';
import type { Session } from './types';

const ME_KEY = ['me'] as const;

async function fetchSession(): Promise<Session | null> {
  try {
    return await api.get<Session>('/auth/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** The signed-in user: `session` is null when signed out, undefined only while the first check runs. */
export function useMe() {
  const query = useQuery({
    queryKey: ME_KEY,
    queryFn: fetchSession,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const session = query.data;
  return {
    session,
    error: query.error,
    refetch: query.refetch,
    can: (permission: Permission) => session?.permissions.includes(permission) ?? false,
  };
}

/** A new session replaces everything cached for the previous user. */
export function startSession(queryClient: QueryClient, session: Session) {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });
  queryClient.setQueryData(ME_KEY, session);
}

/** The session expired: the signed-in layout sends the user to /login, and back here after. */
export function endSession(queryClient: QueryClient) {
  queryClient.setQueryData(ME_KEY, null);
}

/**
 * The user signed out (or changed their password): a full load of /login drops everything held in
 * memory for them, and does not offer to return to the page they left, which the next user may
 * not be allowed to see.
 */
export function signOutLocally() {
  window.location.assign('/login');
}

export function refreshSession(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: ME_KEY });
}
