import { theme } from 'antd';
import { useTranslation } from 'react-i18next';

/** The app's mark (the same grid as the home-screen icon) and, unless compact, its name. */
export function Brand({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8, fontWeight: 600, fontSize: 16 }}>
      <img src="/icons/icon-192.png" alt="" width={28} height={28} style={{ borderRadius: 6 }} />
      {!compact && <span style={{ color: token.colorText, whiteSpace: 'nowrap' }}>{t('app.name')}</span>}
    </span>
  );
}
