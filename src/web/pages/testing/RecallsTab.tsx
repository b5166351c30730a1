import { ClockCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Col,
  Flex,
  Grid,
  Row,
  Statistic,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
  theme,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { feedbackIn } from '../../../domain/permissions';
import { api } from '../../api';
import { formatTime } from '../../format';
import type { Recall, RecallState } from '../../testingTypes';
import { useMe } from '../../useMe';

const STATE_COLORS: Record<RecallState, string> = { open: 'orange', negative: 'green', positive: 'red' };

/**
 * A recheck found positive first (the person the command centre acts on now), then the open ones,
 * the longest open at the top: they are the ones to chase.
 */
const byUrgency = (a: Recall, b: Recall) =>
  Number(b.state === 'positive') - Number(a.state === 'positive') ||
  Number(b.state === 'open') - Number(a.state === 'open') ||
  b.openMinutes - a.openMinutes;

/** A pooled positive recalls every member of the tube for a single-tube recheck; this is that list. */
export function RecallsTab({ roundId }: { roundId: string }) {
  const { t, i18n } = useTranslation();
  const { can } = useMe();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const recalls = useQuery({
    queryKey: ['test-recalls', roundId],
    queryFn: () => api.get<{ items: Recall[] }>(`/test-rounds/${roundId}/recalls`),
    // The minutes open count on the server: a minute's poll keeps them moving.
    refetchInterval: 60_000,
  });
  const items = [...(recalls.data?.items ?? [])].sort(byUrgency);
  const open = items.filter((recall) => recall.state === 'open');
  const closed = items.filter((recall) => recall.state !== 'open');
  const longest = open.reduce((max, recall) => Math.max(max, recall.openMinutes), 0);

  const duration = (minutes: number) =>
    minutes >= 60
      ? t('testing.recalls.hoursMinutes', { hours: Math.floor(minutes / 60), minutes: minutes % 60 })
      : t('testing.recalls.minutes', { minutes });
  // Open and sampled alone already: found, the single tube's result to come (not to be looked for).
  const stateTag = (state: RecallState, recall?: Recall) =>
    state === 'open' && recall?.resampledTube ? (
      <Tag
        color="processing"
        style={{ marginInlineEnd: 0 }}
        data-testid={`recall-resampled-${recall.personId}`}
      >
        {t('testing.recalls.resampled', { tubeCode: recall.resampledTube })}
      </Tag>
    ) : (
      <Tag color={STATE_COLORS[state] ?? 'default'} style={{ marginInlineEnd: 0 }}>
        {t(`testing.recalls.states.${state}`)}
      </Tag>
    );
  // Two hours is the deadline of a recheck's work item: past it, the time turns red.
  const time = (recall: Recall) =>
    recall.state === 'open' ? (
      <Typography.Text strong type={recall.openMinutes >= 120 ? 'danger' : 'warning'}>
        <ClockCircleOutlined /> {duration(recall.openMinutes)}
      </Typography.Text>
    ) : (
      <Typography.Text type="secondary">
        {t('testing.recalls.tookMinutes', { time: duration(recall.openMinutes) })}
      </Typography.Text>
    );
  // Who has it: the person it was sent to, or the workers of the grid it was sent to (sent to a
  // grid nobody works yet, said so); with what was said on it, the grid worker's feedback.
  const assignee = (recall: Recall) => (
    <>
      {recall.assigneeName ??
        (recall.unitWorkers ? (
          t('testing.recalls.gridWorkers', { names: recall.unitWorkers })
        ) : (
          <Typography.Text type="secondary">{t('testing.recalls.toGrid')}</Typography.Text>
        ))}
      {recall.feedback && (
        <Typography.Text
          type="secondary"
          style={{ display: 'block', fontSize: 12, whiteSpace: 'pre-line' }}
          data-testid={`recall-feedback-${recall.personId}`}
        >
          {feedbackIn(recall.feedback, i18n.language)}
        </Typography.Text>
      )}
    </>
  );
  // A link only for those who may open the resident (a sampler sees the masked name alone).
  const person = (recall: Recall) =>
    can('resident.read') ? (
      <Link to={`/residents/${recall.personId}`} data-testid={`recall-person-${recall.personId}`}>
        {recall.name}
      </Link>
    ) : (
      <span data-testid={`recall-person-${recall.personId}`}>{recall.name}</span>
    );

  // On a phone: who and where on the left, time and state on the right, tube and assignee under.
  const narrowColumns: TableColumnsType<Recall> = [
    {
      key: 'recall',
      render: (_, recall) => (
        <Flex vertical gap={2}>
          <Flex justify="space-between" align="center" gap={8}>
            {person(recall)}
            <Flex gap={8} align="center">
              {time(recall)}
              {stateTag(recall.state, recall)}
            </Flex>
          </Flex>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[recall.gridName, recall.address].filter(Boolean).join(' · ')}
          </Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {recall.tubeCode} · {assignee(recall)}
          </Typography.Text>
        </Flex>
      ),
    },
  ];
  const columns: TableColumnsType<Recall> = [
    {
      title: t('testing.recalls.person'),
      dataIndex: 'name',
      render: (_, recall) => (
        <Flex vertical gap={2}>
          {person(recall)}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[recall.gridName, recall.address].filter(Boolean).join(' · ')}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('testing.recalls.tube'),
      dataIndex: 'tubeCode',
      render: (code: string) => <code>{code}</code>,
    },
    {
      title: t('testing.recalls.state'),
      dataIndex: 'state',
      render: (state: RecallState, recall) => stateTag(state, recall),
    },
    { title: t('testing.recalls.openFor'), dataIndex: 'openMinutes', render: (_, recall) => time(recall) },
    {
      title: t('testing.recalls.assignee'),
      dataIndex: 'assigneeName',
      // Its feedback wraps within the column (a long English line had pushed the table past a desk).
      width: 240,
      render: (_, recall) => assignee(recall),
    },
    { title: t('testing.recalls.createdAt'), dataIndex: 'createdAt', render: formatTime },
  ];

  return (
    <Flex vertical gap={16}>
      <Row gutter={[12, 12]}>
        <Col xs={8}>
          <Statistic
            title={t('testing.recalls.open')}
            value={recalls.data ? open.length : '—'}
            styles={{ content: { color: open.length > 0 ? token.colorWarning : undefined } }}
            data-testid="recalls-open"
          />
        </Col>
        <Col xs={8}>
          <Statistic title={t('testing.recalls.closed')} value={recalls.data ? closed.length : '—'} />
        </Col>
        <Col xs={8}>
          <Statistic
            title={t('testing.recalls.longest')}
            value={open.length > 0 ? duration(longest) : '—'}
            styles={{ content: { color: longest >= 120 ? token.colorError : undefined } }}
          />
        </Col>
      </Row>
      {recalls.error && <Alert type="error" showIcon title={recalls.error.message} />}
      <Table<Recall>
        rowKey="id"
        size="small"
        columns={screens.md ? columns : narrowColumns}
        showHeader={Boolean(screens.md)}
        dataSource={items}
        loading={recalls.isPending}
        scroll={screens.md ? { x: 'max-content' } : undefined}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: t('testing.recalls.none') }}
        onRow={(recall) => ({
          style:
            recall.state === 'positive'
              ? { background: token.colorErrorBg }
              : recall.state === 'open'
                ? { background: token.colorWarningBg }
                : undefined,
        })}
        data-testid="recall-table"
      />
    </Flex>
  );
}
