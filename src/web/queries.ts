import { queryOptions } from '@tanstack/react-query';
import { api } from './api';
import type { Page, PermissionInfo, Role } from './types';

/** Lists read by more than one page; one definition keeps their cache keys and calls identical. */

export const rolesQuery = queryOptions({
  queryKey: ['roles'],
  queryFn: () => api.get<Page<Role>>('/roles'),
});

export const permissionsQuery = queryOptions({
  queryKey: ['permissions'],
  queryFn: () => api.get<Page<PermissionInfo>>('/permissions'),
  staleTime: Number.POSITIVE_INFINITY, // the codes are fixed in the code base
});
