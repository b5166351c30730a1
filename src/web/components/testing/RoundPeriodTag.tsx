import { Tag } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { DATE_FORMAT } from '../../format';
import type { TestRound } from '../../testingTypes';

export type RoundPeriod = 'upcoming' | 'running' | 'ended';

/** Whether a round runs today, by the browser's day (the district and its staff share one zone). */
export function periodOf(round: Pick<TestRound, 'startsOn' | 'endsOn'>): RoundPeriod {
  const today = dayjs().format(DATE_FORMAT);
  if (today < round.startsOn) return 'upcoming';
  return today > round.endsOn ? 'ended' : 'running';
}

const COLORS: Record<RoundPeriod, string> = { upcoming: 'blue', running: 'green', ended: 'default' };

export function RoundPeriodTag({ round }: { round: Pick<TestRound, 'startsOn' | 'endsOn'> }) {
  const { t } = useTranslation();
  const period = periodOf(round);
  return (
    <Tag color={COLORS[period]} style={{ marginInlineEnd: 0 }}>
      {t(`testing.period.${period}`)}
    </Tag>
  );
}
