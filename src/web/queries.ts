import { queryOptions } from '@tanstack/react-query';
import { api } from './api';
import { keptQueryFn } from './offline';
import type { Lab } from './testingTypes';
import type { Health, KeyGroup, Page, PermissionInfo, Role } from './types';

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

// A district has a few dozen classes (Henan's 2022 list had 27): one page holds them all.
export const keyGroupsQuery = queryOptions({
  queryKey: ['key-groups'],
  // Kept: their names stand in for their codes on a round's page opened offline.
  queryFn: keptQueryFn('key-groups', () => api.get<Page<KeyGroup>>('/key-groups', { pageSize: 500 })),
});

export const healthQuery = queryOptions({
  queryKey: ['health'],
  queryFn: () => api.get<Health>('/health'),
  staleTime: Number.POSITIVE_INFINITY, // whether the data is the demo's does not change while running
});

/** The labs (检测机构) the reader may hand tubes to or work for. */
export const labsQuery = queryOptions({
  queryKey: ['labs'],
  queryFn: () => api.get<{ items: Lab[] }>('/labs'),
});
