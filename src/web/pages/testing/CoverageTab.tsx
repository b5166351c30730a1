import { ReloadOutlined, RightOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Flex, Grid, Progress, Table, type TableColumnsType, Typography, theme } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { OrgUnitChoice } from '../../components/OrgUnitSelect';
import { CoverageSummary } from '../../components/testing/CoverageSummary';
import {
  type CoverageNode,
  coverageQuery,
  donePercent,
  formatCount,
  sampledPercent,
} from '../../testingTypes';
import { touchSize } from '../../touch';
import { UnitTrail, type UnitTrailProps } from './UnitTrail';

// Live events refresh the coverage (throttled, useLiveUpdates); the poll covers a dropped stream.
const POLL_MS = 60_000;

interface CoverageTabProps extends UnitTrailProps {
  /** Opens the missing list of a unit (the trail leading to it). */
  /** Opens the missing list; absent for those who may not read residents. */
  onShowMissing?: (trail: OrgUnitChoice[]) => void;
}

export function CoverageTab({ roundId, trail, onTrail, onShowMissing }: CoverageTabProps) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const unit = trail.at(-1);
  const coverage = useQuery({
    ...coverageQuery(roundId, unit?.value),
    placeholderData: keepPreviousData,
    refetchInterval: POLL_MS,
  });
  const data = coverage.data;

  const open = (node: CoverageNode) => {
    const next = [...trail, { value: node.orgUnitId, label: node.name }];
    // A grid has no units below it: what is left to do there is its list of the missing.
    if (node.level === 'grid') onShowMissing?.(next);
    else onTrail(next);
  };

  const numeric = (key: 'due' | 'sampled' | 'exempt' | 'missing') => ({
    title: t(`testing.coverage.${key}`),
    dataIndex: key,
    align: 'right' as const,
    sorter: (a: CoverageNode, b: CoverageNode) => a[key] - b[key],
    render: formatCount,
  });
  const columns: TableColumnsType<CoverageNode> = [
    {
      title: t('testing.coverage.unit'),
      dataIndex: 'name',
      render: (name: string, node) =>
        // The node's own people (in none of its children): a row to count, with nowhere to open.
        node.direct ? (
          <span data-testid="coverage-direct">{t('testing.coverage.direct', { unit: name })}</span>
        ) : (
          <Button
            type="link"
            size={touchSize('small')}
            style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }}
            onClick={() => open(node)}
            data-testid={`coverage-open-${node.orgUnitId}`}
          >
            {name}
            {node.level === 'grid' ? <UnorderedListOutlined /> : <RightOutlined />}
          </Button>
        ),
    },
    numeric('due'),
    { ...numeric('sampled'), responsive: ['sm'] },
    { ...numeric('exempt'), responsive: ['sm'] },
    {
      ...numeric('missing'),
      render: (missing: number) => (
        <span
          style={{
            color: missing > 0 ? token.colorError : undefined,
            fontWeight: missing > 0 ? 600 : undefined,
          }}
        >
          {formatCount(missing)}
        </span>
      ),
    },
    {
      title: t('testing.coverage.done'),
      key: 'done',
      width: screens.sm ? 150 : 84,
      sorter: (a, b) => donePercent(a) - donePercent(b),
      render: (_, node) =>
        screens.sm ? (
          <Progress
            size="small"
            percent={donePercent(node)}
            success={{ percent: sampledPercent(node) }}
            style={{ margin: 0, minWidth: 90 }}
          />
        ) : (
          // A phone has no room for the bar's label beside it: the figure goes above a bare bar.
          <Flex vertical gap={0}>
            <span style={{ fontSize: 12 }}>{donePercent(node)}%</span>
            <Progress
              size="small"
              percent={donePercent(node)}
              success={{ percent: sampledPercent(node) }}
              showInfo={false}
              style={{ margin: 0 }}
            />
          </Flex>
        ),
    },
  ];

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" gap={8} wrap>
        <UnitTrail roundId={roundId} trail={trail} onTrail={onTrail} />
        <Flex gap={8} align="center">
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="coverage-updated">
            {coverage.dataUpdatedAt > 0 &&
              t('testing.coverage.updatedAt', { time: dayjs(coverage.dataUpdatedAt).format('HH:mm:ss') })}
          </Typography.Text>
          <Button
            size={touchSize('small')}
            icon={<ReloadOutlined />}
            loading={coverage.isFetching}
            onClick={() => void coverage.refetch()}
            aria-label={t('testing.refresh')}
            data-testid="coverage-refresh"
          />
        </Flex>
      </Flex>
      {coverage.error && <Alert type="error" showIcon title={coverage.error.message} />}
      <CoverageSummary tally={data} />
      <Flex justify="space-between" align="center" gap={8} wrap>
        <Typography.Text strong>
          {data && data.children.length > 0
            ? t('testing.coverage.childrenOf', { unit: data.orgUnitName })
            : null}
        </Typography.Text>
        {onShowMissing && (
          <Button
            icon={<UnorderedListOutlined />}
            onClick={() => onShowMissing(trail)}
            disabled={!data || data.missing === 0}
            data-testid="coverage-show-missing"
          >
            {t('testing.coverage.showMissing', { count: formatCount(data?.missing ?? 0) })}
          </Button>
        )}
      </Flex>
      {/* A grid has no units below it: its figures above are the whole story. */}
      {!(data && data.children.length === 0) && (
        <Table<CoverageNode>
          rowKey="orgUnitId"
          size="small"
          columns={columns}
          dataSource={data?.children}
          loading={coverage.isPending || (coverage.isFetching && coverage.isPlaceholderData)}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          locale={{ emptyText: t('testing.coverage.noChildren') }}
          data-testid="coverage-table"
        />
      )}
    </Flex>
  );
}
