import { Col, Flex, Progress, Row, Statistic, Tag, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { EXEMPTION_REASON_NAMES, EXEMPTION_REASONS } from '../../../domain/testing';
import { nameIn } from '../../i18n';
import { donePercent, formatCount, sampledPercent, type Tally } from '../../testingTypes';

/**
 * Due, sampled, exempt and missing of one node, and a bar of what is done: sampled (green) plus
 * exempt (blue) out of due. `compact` is the home page's card: the bar and one line of figures.
 */
export function CoverageSummary({ tally, compact = false }: { tally?: Tally; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const { token } = theme.useToken();
  const bar = (
    <Progress
      percent={tally ? donePercent(tally) : 0}
      success={{ percent: tally ? sampledPercent(tally) : 0 }}
      format={(percent) => `${percent ?? 0}%`}
      data-testid="coverage-progress"
    />
  );
  if (compact) {
    return (
      <Flex vertical gap={4}>
        {bar}
        <Typography.Text type="secondary">
          {tally
            ? t('testing.coverage.line', {
                sampled: formatCount(tally.sampled),
                // The bar's figure is sampled and exempt together: the sampled share is said apart.
                sampledPercent: sampledPercent(tally),
                due: formatCount(tally.due),
                exempt: formatCount(tally.exempt),
                missing: formatCount(tally.missing),
              })
            : '—'}
        </Typography.Text>
      </Flex>
    );
  }

  const items = [
    { key: 'due', value: tally?.due, color: undefined },
    { key: 'sampled', value: tally?.sampled, color: token.colorSuccess },
    { key: 'exempt', value: tally?.exempt, color: token.colorPrimary },
    { key: 'missing', value: tally?.missing, color: tally?.missing ? token.colorError : undefined },
  ] as const;
  const reasons = EXEMPTION_REASONS.filter((reason) => (tally?.exemptByReason[reason] ?? 0) > 0);
  return (
    <Flex vertical gap={12}>
      <Row gutter={[12, 12]}>
        {items.map(({ key, value, color }) => (
          <Col key={key} xs={12} sm={6}>
            <div
              style={{
                padding: '10px 14px',
                borderRadius: token.borderRadiusLG,
                background: token.colorFillQuaternary,
                borderInlineStart: `3px solid ${color ?? token.colorBorder}`,
              }}
            >
              <Statistic
                title={t(`testing.coverage.${key}`)}
                value={value ?? '—'}
                styles={{ content: { fontSize: 24, color } }}
                data-testid={`coverage-${key}`}
              />
            </div>
          </Col>
        ))}
      </Row>
      <div>
        {bar}
        <Flex gap={16} wrap style={{ fontSize: 12 }}>
          <Typography.Text type="secondary">
            <span style={{ color: token.colorSuccess }}>■</span> {t('testing.coverage.sampled')}{' '}
            {tally ? `${sampledPercent(tally)}%` : '—'}
          </Typography.Text>
          <Typography.Text type="secondary">
            <span style={{ color: token.colorPrimary }}>■</span> {t('testing.coverage.doneShare')}{' '}
            {tally ? `${donePercent(tally)}%` : '—'}
          </Typography.Text>
        </Flex>
      </div>
      {reasons.length > 0 && (
        <Flex gap={4} wrap align="center" data-testid="coverage-exempt-reasons">
          <Typography.Text type="secondary">{t('testing.coverage.exemptByReason')}</Typography.Text>
          {reasons.map((reason) => (
            <Tag key={reason} data-testid={`coverage-exempt-${reason}`}>
              {nameIn(i18n.language, EXEMPTION_REASON_NAMES[reason])} {tally?.exemptByReason[reason]}
            </Tag>
          ))}
        </Flex>
      )}
    </Flex>
  );
}
