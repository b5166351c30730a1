import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { RESIDENCE_STATUS_NAMES, type ResidenceStatus } from '../../domain/residents';
import { nameIn } from '../i18n';

// Who can be reached at home stands out from who cannot; the two terminal states are grey.
const COLORS: Record<ResidenceStatus, string> = {
  at_home: 'green',
  commuting: 'blue',
  away: 'orange',
  visiting: 'purple',
  moved_out: 'default',
  deceased: 'default',
};

export function ResidenceStatusTag({ status }: { status: ResidenceStatus }) {
  const { i18n } = useTranslation();
  return <Tag color={COLORS[status]}>{nameIn(i18n.language, RESIDENCE_STATUS_NAMES[status])}</Tag>;
}
