import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { TreeSelect } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OrgLevel } from '../../domain/permissions';
import { api } from '../api';
import type { OrgUnit, Page } from '../types';
import { useOrgTree } from '../useOrgTree';

/** A chosen unit with its name: units deep in the tree show their name before their level is loaded. */
export interface OrgUnitChoice {
  value: string;
  label: string;
}

interface OrgUnitSelectProps {
  value?: OrgUnitChoice;
  onChange?: (value: OrgUnitChoice | undefined) => void;
  /** Only units of this level can be picked (a resident lives in a grid, not in a community). */
  onlyLevel?: OrgLevel;
  /** As a filter: clearing it means "everything I may see". */
  allowClear?: boolean;
  placeholder?: string;
  disabled?: boolean;
  /** Only units within this one (a round's points lie within the round). */
  within?: string;
  'data-testid'?: string;
}

/**
 * Picks an org unit: browse the tree level by level, as on the org page, or type a name to search
 * the whole tree on the server (a grid is usually three levels down, in a level not yet loaded).
 */
export function OrgUnitSelect({
  value,
  onChange,
  onlyLevel,
  allowClear,
  placeholder,
  disabled,
  within,
  'data-testid': testId,
}: OrgUnitSelectProps) {
  const { t } = useTranslation();
  const tree = useOrgTree(onlyLevel, within);
  const [search, setSearch] = useState('');
  const q = search.trim();
  const matches = useQuery({
    queryKey: ['org-units', 'search', q, onlyLevel ?? 'any', within ?? 'all'],
    queryFn: () => api.get<Page<OrgUnit>>('/org-units', { q, level: onlyLevel, within, pageSize: 50 }),
    enabled: q !== '',
    placeholderData: keepPreviousData,
  });
  const searching = q !== '';
  const treeData = searching
    ? (matches.data?.items ?? []).map((unit) => ({
        key: unit.id,
        value: unit.id,
        // Names repeat (every community has a 第一网格): found ones are shown under their parent.
        title: unit.parentName ? `${unit.parentName} / ${unit.name}` : unit.name,
        isLeaf: true,
      }))
    : tree.treeData;

  return (
    <TreeSelect
      labelInValue
      disabled={disabled}
      value={value}
      onChange={onChange}
      allowClear={allowClear}
      treeData={treeData}
      loadData={(node) => tree.loadChildren(String(node.value))}
      loading={searching ? matches.isFetching : tree.isPending}
      placeholder={placeholder ?? t('users.pickUnit')}
      showSearch={{ searchValue: search, onSearch: setSearch, filterTreeNode: false }}
      popupMatchSelectWidth={false}
      data-testid={testId}
      style={{ width: '100%' }}
    />
  );
}
