import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Placeholder until built. */
export function KeyGroupTestingPage() {
  const { t } = useTranslation();
  return <Typography.Title level={3}>{t('testing.title')}</Typography.Title>;
}
