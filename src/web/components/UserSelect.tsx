import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { noted } from '../../domain/language';
import { api } from '../api';
import type { Page, User } from '../types';

/** Several users, found by name on the server. */
export function UserSelect({
  value,
  onChange,
  placeholder,
  names,
  samplersFor,
  labStaffFor,
  disabled,
  'data-testid': testId,
}: {
  /** Only those who may sample at this unit (active, with 扫码采样 there). */
  samplersFor?: string;
  /** Only those who may work a lab over this unit's whole area (active, with 录入检测结果 over it). */
  labStaffFor?: string;
  disabled?: boolean;
  /** Names of users already chosen (an edited record's), shown before any search finds them. */
  names?: Record<string, string>;
  value?: string[];
  onChange?: (value: string[]) => void;
  placeholder?: string;
  'data-testid'?: string;
}) {
  const { t, i18n } = useTranslation();
  const [search, setSearch] = useState('');
  const [known, setKnown] = useState<Record<string, string>>(() => ({ ...names }));
  const q = search.trim();
  const users = useQuery({
    queryKey: ['users', 'pick', q, samplersFor, labStaffFor],
    queryFn: () => api.get<Page<User>>('/users', { q, samplersFor, labStaffFor, pageSize: 20 }),
    enabled: !disabled,
    // The last list while the next loads, for the same unit only: another unit's samplers would
    // look allowed here.
    placeholderData: (previous, previousQuery) =>
      previousQuery?.queryKey[3] === samplersFor && previousQuery?.queryKey[4] === labStaffFor
        ? previous
        : undefined,
  });
  const options = (users.data?.items ?? [])
    .filter((user) => user.active)
    .map((user) => ({ value: user.id, label: noted(user.displayName, user.username, i18n.language) }));
  return (
    <Select
      mode="multiple"
      value={value}
      onChange={(ids: string[]) => {
        const labels = { ...known };
        for (const option of options) labels[option.value] = option.label;
        setKnown(labels);
        onChange?.(ids);
      }}
      options={[
        ...options,
        // Chosen users stay named when the search no longer finds them.
        ...(value ?? [])
          .filter((id) => !options.some((option) => option.value === id))
          .map((id) => ({ value: id, label: known[id] ?? id })),
      ]}
      showSearch={{ searchValue: search, onSearch: setSearch, filterOption: false }}
      loading={users.isFetching}
      disabled={disabled}
      placeholder={placeholder ?? t('testing.points.samplersPlaceholder')}
      data-testid={testId}
    />
  );
}
