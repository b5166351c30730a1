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
  Typography,
  theme,
} from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import {
  coverageQuery,
  donePercent,
  formatCount,
  type RoundSummary,
  sampledPercent,
} from '../../testingTypes';

type Day = RoundSummary['days'][number];
const FIGURES = ['sampled', 'resampled', 'tubes', 'resultsIn', 'positives'] as const;

/** Per day of the round: what the daily bulletin reports. */
export function SummaryTab({ roundId }: { roundId: string }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const screens = Grid.useBreakpoint();
  const summary = useQuery({
    queryKey: ['test-summary', roundId],
    queryFn: () => api.get<RoundSummary>(`/test-rounds/${roundId}/summary`),
  });
  // The round as a whole (the reader's part of it): due, exempt and missing beside the days.
  const coverage = useQuery(coverageQuery(roundId));
  const days = summary.data?.days ?? [];
  const totals = Object.fromEntries(
    FIGURES.map((figure) => [figure, days.reduce((sum, day) => sum + day[figure], 0)]),
  ) as Record<(typeof FIGURES)[number], number>;
  const singlePositives = days.reduce((sum, day) => sum + day.singlePositives, 0);
  const positiveStyle = (n: number) => (n > 0 ? { color: token.colorError, fontWeight: 600 } : undefined);

  const columns: TableColumnsType<Day> = [
    {
      title: t('testing.summary.day'),
      dataIndex: 'day',
      // A phone shows the month and day: the round's year goes without saying.
      render: (day: string) => (
        <span style={{ whiteSpace: 'nowrap' }}>{screens.sm ? day : day.slice(5)}</span>
      ),
    },
    ...FIGURES.map((figure) => ({
      title: t(`testing.summary.${figure}`),
      dataIndex: figure,
      align: 'right' as const,
      render: (n: number) => (
        <span style={figure === 'positives' ? positiveStyle(n) : undefined}>{formatCount(n)}</span>
      ),
    })),
  ];

  // The bulletin's paragraph for the round, as the command centre pastes it into the daily report.
  const bulletin =
    summary.data && coverage.data
      ? t('testing.summary.bulletin', {
          // When and where: a paragraph pasted into the day's report says whose figures, as of when
          // (a community's staff see their community's part of a district round).
          at: dayjs(coverage.dataUpdatedAt || Date.now()).format('MM-DD HH:mm'),
          name: summary.data.name,
          unit: coverage.data.orgUnitName,
          due: formatCount(coverage.data.due),
          sampled: formatCount(coverage.data.sampled),
          exempt: formatCount(coverage.data.exempt),
          missing: formatCount(coverage.data.missing),
          // Done counts the exempt as the coverage tab does; the sampled share beside it, so a
          // pasted paragraph is not read as 10.8% tested when 0.4% were.
          percent: donePercent(coverage.data),
          sampledPercent: sampledPercent(coverage.data),
          swabs: formatCount(totals.sampled),
          tubes: formatCount(totals.tubes),
          resultsIn: formatCount(totals.resultsIn),
          positives: formatCount(totals.positives),
          pooledPositives: formatCount(totals.positives - singlePositives),
          singlePositives: formatCount(singlePositives),
          rechecks: formatCount(summary.data.rechecksOpen),
        })
      : null;

  return (
    <Flex vertical gap={16}>
      {bulletin && (
        <Alert
          type="info"
          title={
            <Typography.Paragraph copyable style={{ margin: 0 }} data-testid="summary-bulletin">
              {bulletin}
            </Typography.Paragraph>
          }
        />
      )}
      <Row gutter={[12, 12]}>
        {FIGURES.map((figure) => (
          <Col key={figure} xs={12} sm={6} lg={4}>
            <Statistic
              title={t(`testing.summary.${figure}`)}
              value={summary.data ? totals[figure] : '—'}
              styles={{ content: figure === 'positives' ? positiveStyle(totals[figure]) : undefined }}
            />
          </Col>
        ))}
        <Col xs={12} sm={6} lg={4}>
          <Statistic
            title={t('testing.summary.rechecksOpen')}
            value={summary.data?.rechecksOpen ?? '—'}
            styles={{
              content: summary.data?.rechecksOpen
                ? { color: token.colorWarning, fontWeight: 600 }
                : undefined,
            }}
            data-testid="summary-rechecks-open"
          />
        </Col>
      </Row>
      {summary.error && <Alert type="error" showIcon title={summary.error.message} />}
      <Table<Day>
        rowKey="day"
        size="small"
        columns={columns}
        dataSource={days}
        loading={summary.isPending}
        pagination={false}
        locale={{ emptyText: t('testing.summary.none') }}
        data-testid="summary-table"
        summary={() =>
          days.length > 1 ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>
                <Typography.Text strong>{t('testing.summary.total')}</Typography.Text>
              </Table.Summary.Cell>
              {FIGURES.map((figure, index) => (
                <Table.Summary.Cell key={figure} index={index + 1} align="right">
                  <Typography.Text strong>{totals[figure]}</Typography.Text>
                </Table.Summary.Cell>
              ))}
            </Table.Summary.Row>
          ) : null
        }
      />
    </Flex>
  );
}
