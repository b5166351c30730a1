import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** The sampler's page at a collection point (placeholder until built). */
export function SamplingPage() {
  const { t } = useTranslation();
  return <Typography.Title level={3}>{t('sampling.title')}</Typography.Title>;
}
