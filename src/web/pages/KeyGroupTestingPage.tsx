import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  Alert,
  Card,
  Col,
  Flex,
  Grid,
  Row,
  Segmented,
  Select,
  Statistic,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
  theme,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { type OrgUnitChoice, OrgUnitSelect } from '../components/OrgUnitSelect';
import type { KeyGroupDue, KeyGroupDueItem } from '../testingTypes';

type Show = 'due' | 'overdue' | 'all';

/** Key groups are tested on their class's frequency; this is who is due today and who is late. */
export function KeyGroupTestingPage() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const [unit, setUnit] = useState<OrgUnitChoice>();
  const [show, setShow] = useState<Show>('due');
  const due = useQuery({
    queryKey: ['key-group-testing', unit?.value ?? 'all'],
    queryFn: () => api.get<KeyGroupDue>('/key-group-testing/due', { orgUnitId: unit?.value }),
    placeholderData: keepPreviousData,
  });
  const data = due.data;
  // One class at a time (shop staff before their Tuesday), with its own counts.
  const [classCode, setClassCode] = useState<string>();
  // Its classes by name, as a clerk looks for one (农贸… among a dozen), searchable by typing.
  const classes = [
    ...new Map((data?.items ?? []).map((item) => [item.classCode, item.className])).entries(),
  ].sort(([, a], [, b]) => a.localeCompare(b, 'zh-CN'));
  const ofClass = (data?.items ?? []).filter((item) => !classCode || item.classCode === classCode);
  const items = ofClass.filter(
    (item) => show === 'all' || (show === 'overdue' ? item.overdue : item.dueToday),
  );
  const overdue = ofClass.filter((item) => item.overdue).length;
  const dueToday = ofClass.filter((item) => item.dueToday).length;

  const dueTag = (item: KeyGroupDueItem) => {
    if (item.overdue)
      return (
        <Tag color="red" data-testid="key-group-overdue-tag">
          {t('testing.keyGroups.overdueDays', { days: dayjs(data?.today).diff(dayjs(item.dueOn), 'day') })}
        </Tag>
      );
    if (item.dueToday) return <Tag color="orange">{t('testing.keyGroups.dueTodayTag')}</Tag>;
    return <Tag>{item.dueOn === data?.tomorrow ? t('testing.keyGroups.tomorrow') : item.dueOn}</Tag>;
  };

  // On a phone: one cell per person, the due tag beside the name and the class under it.
  const narrowColumns: TableColumnsType<KeyGroupDueItem> = [
    {
      key: 'item',
      render: (_, item) => (
        <Flex vertical gap={2}>
          <Flex justify="space-between" align="center" gap={8}>
            <span>
              <Link to={`/residents/${item.personId}`}>{item.name}</Link>
              <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 8 }}>
                {item.gridName}
              </Typography.Text>
            </span>
            {dueTag(item)}
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[
              item.className,
              item.frequency,
              item.lastSampledOn
                ? `${t('testing.keyGroups.lastSampled')} ${item.lastSampledOn}`
                : t('testing.keyGroups.neverSampled'),
            ]
              .filter(Boolean)
              .join(' · ')}
          </Typography.Text>
        </Flex>
      ),
    },
  ];
  const columns: TableColumnsType<KeyGroupDueItem> = [
    {
      title: t('residents.name'),
      dataIndex: 'name',
      render: (name: string, item) => (
        <Flex justify="space-between" align="center" gap={8}>
          <Flex vertical gap={0}>
            <Link to={`/residents/${item.personId}`}>{name}</Link>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {item.gridName}
            </Typography.Text>
          </Flex>
        </Flex>
      ),
    },
    {
      title: t('testing.keyGroups.class'),
      dataIndex: 'className',
      render: (name: string, item) => (
        <Flex vertical gap={0}>
          <span>{name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {item.frequency ?? '—'}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('testing.keyGroups.lastSampled'),
      dataIndex: 'lastSampledOn',
      responsive: ['sm'],
      render: (day: string | null) =>
        day ?? <Typography.Text type="secondary">{t('testing.keyGroups.never')}</Typography.Text>,
    },
    {
      title: t('testing.keyGroups.dueOn'),
      dataIndex: 'dueOn',
      render: (_, item) => dueTag(item),
    },
  ];

  return (
    <Card title={t('nav.keyGroupTesting')}>
      <Flex vertical gap={16}>
        <Flex gap={8} wrap align="center">
          <div style={{ flex: '1 1 260px', maxWidth: 420 }}>
            <OrgUnitSelect
              value={unit}
              onChange={setUnit}
              allowClear
              placeholder={t('residents.allUnits')}
              data-testid="key-group-testing-unit"
            />
          </div>
          <Select
            value={classCode}
            onChange={setClassCode}
            allowClear
            placeholder={t('testing.keyGroups.allClasses')}
            options={classes.map(([code, name]) => ({ value: code, label: name }))}
            // Found by its name or its code (cold_chain), whichever the clerk knows.
            showSearch={{
              filterOption: (typed, option) =>
                `${option?.label ?? ''} ${option?.value ?? ''}`
                  .toLowerCase()
                  .includes(typed.trim().toLowerCase()),
            }}
            style={{ flex: screens.sm ? '0 1 240px' : '1 1 100%', minWidth: 140 }}
            data-testid="key-group-testing-class"
          />
          <Typography.Text type="secondary">
            {data && t('testing.keyGroups.today', { today: data.today, hours: data.validHours })}
          </Typography.Text>
        </Flex>
        <Row gutter={[12, 12]}>
          <Col xs={8} md={6}>
            <Statistic
              title={t('testing.keyGroups.overdue')}
              value={data ? overdue : '—'}
              styles={{ content: { color: overdue ? token.colorError : undefined } }}
              data-testid="key-group-overdue"
            />
          </Col>
          <Col xs={8} md={6}>
            <Statistic
              title={t('testing.keyGroups.dueToday')}
              value={data ? dueToday : '—'}
              styles={{ content: { color: dueToday ? token.colorWarning : undefined } }}
              data-testid="key-group-due-today"
            />
          </Col>
          <Col xs={8} md={6}>
            <Statistic title={t('testing.keyGroups.total')} value={data ? ofClass.length : '—'} />
          </Col>
        </Row>
        <Segmented<Show>
          value={show}
          onChange={setShow}
          options={[
            { value: 'due', label: t('testing.keyGroups.showDue') },
            { value: 'overdue', label: t('testing.keyGroups.showOverdue') },
            { value: 'all', label: t('testing.keyGroups.showAll') },
          ]}
          data-testid="key-group-testing-show"
        />
        {due.error && <Alert type="error" showIcon title={due.error.message} />}
        <Table<KeyGroupDueItem>
          rowKey={(item) => `${item.personId}-${item.classCode}`}
          size="small"
          columns={screens.sm ? columns : narrowColumns}
          showHeader={Boolean(screens.sm)}
          dataSource={items}
          loading={due.isFetching}
          scroll={screens.sm ? { x: 'max-content' } : undefined}
          locale={{ emptyText: t('testing.keyGroups.none') }}
          data-testid="key-group-testing-table"
          pagination={{
            pageSize: 20,
            hideOnSinglePage: true,
            showSizeChanger: false,
            showTotal: (total) => t('common.total', { total }),
          }}
        />
      </Flex>
    </Card>
  );
}
