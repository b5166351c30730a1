import { PlusOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Grid, Table, type TableColumnsType, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { SAMPLING_MODE_NAMES, type SamplingMode } from '../../domain/testing';
import { RoundPeriodTag } from '../components/testing/RoundPeriodTag';
import { roundDays } from '../format';
import { nameIn } from '../i18n';
import { roundsQuery, type TestRound } from '../testingTypes';
import { useMe } from '../useMe';
import { RoundModal } from './testing/RoundModal';

export function TestingRoundsPage() {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [creating, setCreating] = useState(false);
  const rounds = useQuery({ ...roundsQuery(page, pageSize), placeholderData: keepPreviousData });
  const screens = Grid.useBreakpoint();
  const modeName = (mode: SamplingMode) => nameIn(i18n.language, SAMPLING_MODE_NAMES[mode]);
  const nameLink = (round: TestRound) => (
    <Link to={`/testing/${round.id}`} data-testid={`round-link-${round.id}`}>
      {round.name}
    </Link>
  );

  // A phone has room for one column: the round, and what it covers when, under its name.
  const narrowColumns: TableColumnsType<TestRound> = [
    {
      key: 'round',
      render: (_, round) => (
        <Flex vertical gap={2}>
          <Flex justify="space-between" align="center" gap={8}>
            {nameLink(round)}
            <RoundPeriodTag round={round} />
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[round.orgUnitName, roundDays(round), modeName(round.defaultMode)].filter(Boolean).join(' · ')}
          </Typography.Text>
        </Flex>
      ),
    },
  ];

  const columns: TableColumnsType<TestRound> = [
    {
      title: t('testing.round.name'),
      dataIndex: 'name',
      render: (_, round) => nameLink(round),
    },
    {
      title: t('testing.round.period'),
      key: 'period',
      render: (_, round) => <RoundPeriodTag round={round} />,
    },
    {
      title: t('testing.round.unit'),
      dataIndex: 'orgUnitName',
      render: (name: string | null) => name ?? '—',
    },
    {
      title: t('testing.round.dates'),
      key: 'dates',
      render: (_, round) => roundDays(round),
    },
    {
      title: t('testing.round.defaultMode'),
      dataIndex: 'defaultMode',
      render: modeName,
    },
  ];

  return (
    <Card
      title={t('testing.rounds')}
      extra={
        can('testing.manage') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="round-create"
          >
            {t('testing.round.create')}
          </Button>
        )
      }
    >
      {rounds.error && (
        <Alert type="error" showIcon title={rounds.error.message} style={{ marginBottom: 16 }} />
      )}
      <Table<TestRound>
        rowKey="id"
        columns={screens.sm ? columns : narrowColumns}
        showHeader={Boolean(screens.sm)}
        dataSource={rounds.data?.items}
        loading={rounds.isFetching}
        scroll={screens.sm ? { x: 'max-content' } : undefined}
        locale={{ emptyText: t('testing.round.none') }}
        data-testid="round-table"
        pagination={{
          current: page,
          pageSize,
          total: rounds.data?.total ?? 0,
          hideOnSinglePage: true,
          showTotal: (total) => t('common.total', { total }),
          onChange: (nextPage, nextPageSize) => {
            setPage(nextPage);
            setPageSize(nextPageSize);
          },
        }}
      />
      <RoundModal
        open={creating}
        nextNumber={nextRoundNumber(rounds.data?.items ?? [], rounds.data?.total ?? 0)}
        onClose={() => setCreating(false)}
      />
    </Card>
  );
}

/** The next 第N轮 after the highest one named so far (rounds are often numbered district-wide). */
function nextRoundNumber(rounds: { name: string }[], total: number) {
  const numbers = rounds.map((round) => Number(/第\s*(\d+)\s*轮/.exec(round.name)?.[1] ?? 0));
  return Math.max(total, ...numbers) + 1;
}
