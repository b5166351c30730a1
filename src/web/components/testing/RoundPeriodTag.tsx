import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { localDay } from '../../../domain/dates';
import type { TestRound } from '../../testingTypes';

export type RoundPeriod = 'upcoming' | 'running' | 'ended' | 'cancelled';

/** Whether a round runs today, by the district's day (as the server dates scans), whatever the browser's zone. */
export function periodOf(round: Pick<TestRound, 'startsOn' | 'endsOn' | 'cancelledAt'>): RoundPeriod {
  if (round.cancelledAt) return 'cancelled';
  const today = localDay();
  if (today < round.startsOn) return 'upcoming';
  return today > round.endsOn ? 'ended' : 'running';
}

const COLORS: Record<RoundPeriod, string> = {
  upcoming: 'blue',
  running: 'green',
  ended: 'default',
  cancelled: 'red',
};

export function RoundPeriodTag({ round }: { round: Pick<TestRound, 'startsOn' | 'endsOn' | 'cancelledAt'> }) {
  const { t } = useTranslation();
  const period = periodOf(round);
  return (
    <Tag color={COLORS[period]} style={{ marginInlineEnd: 0 }}>
      {t(`testing.period.${period}`)}
    </Tag>
  );
}
