import {
  queryOptions,
  type UseQueryResult,
  useQueries,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import type { OrgLevel } from '../domain/permissions';
import { api } from './api';
import type { OrgUnit, Page } from './types';

/**
 * One level of the org tree: the roots the user may see, or the children of one unit; with
 * `within`, only what lies in that unit's subtree.
 */
const orgChildrenQuery = (parentId: string | null, within?: string) =>
  queryOptions({
    queryKey: ['org-units', 'children', parentId ?? 'roots', within ?? 'all'],
    queryFn: () =>
      api.get<Page<OrgUnit>>(
        '/org-units',
        parentId === null ? { roots: true, within } : { parentId, within, pageSize: 500 },
      ),
  });

interface OrgTreeNode {
  key: string;
  value: string;
  title: string;
  isLeaf: boolean;
  selectable: boolean;
  children?: OrgTreeNode[];
}

// Outside the component so react-query keeps the combined result until a level's data changes.
const itemsOfEachLevel = (results: UseQueryResult<Page<OrgUnit>>[]) =>
  results.map((result) => result.data?.items);

/**
 * Tree data for antd Tree and TreeSelect, loaded a level at a time as the user expands nodes.
 * Each loaded level is its own query, so invalidating ['org-units'] (after an edit, or on a live
 * event) refreshes exactly the levels on screen. With `onlyLevel`, only units of that level can be
 * picked, and the tree stops there: nothing below them could be picked either.
 */
export function useOrgTree(onlyLevel?: OrgLevel, within?: string) {
  const queryClient = useQueryClient();
  const [loadedIds, setLoadedIds] = useState<string[]>([]);
  const roots = useQuery(orgChildrenQuery(null, within));
  const levels = useQueries({
    queries: loadedIds.map((id) => orgChildrenQuery(id, within)),
    combine: itemsOfEachLevel,
  });

  const treeData = useMemo(() => {
    const childrenOf = new Map(loadedIds.map((id, index) => [id, levels[index]]));
    const toNode = (unit: OrgUnit): OrgTreeNode => ({
      key: unit.id,
      value: unit.id,
      title: unit.name,
      isLeaf: unit.childCount === 0 || unit.level === onlyLevel,
      selectable: onlyLevel === undefined || unit.level === onlyLevel,
      children: childrenOf.get(unit.id)?.map(toNode),
    });
    return (roots.data?.items ?? []).map(toNode);
  }, [roots.data, loadedIds, levels, onlyLevel]);

  const loadChildren = useCallback(
    async (id: string) => {
      await queryClient.ensureQueryData(orgChildrenQuery(id, within));
      setLoadedIds((ids) => (ids.includes(id) ? ids : [...ids, id]));
    },
    [queryClient, within],
  );

  return { treeData, loadChildren, isPending: roots.isPending, error: roots.error };
}
