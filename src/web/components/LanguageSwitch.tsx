import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Language } from '../i18n';
import { touchSize } from '../touch';

const OPTIONS: { label: string; short: string; value: Language }[] = [
  { label: '中文', short: '中', value: 'zh-CN' },
  { label: 'English', short: 'EN', value: 'en' },
];

/** The language switch; `compact` in a phone's header, where 中 / EN leave room for the rest. */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { i18n } = useTranslation();
  return (
    <Segmented
      size={touchSize('small')}
      options={OPTIONS.map(({ label, short, value }) => ({
        value,
        label: compact ? short : label,
        // The whole name for a screen reader and a long press.
        title: label,
      }))}
      value={i18n.language as Language}
      onChange={(language) => void i18n.changeLanguage(language)}
      data-testid="language-switch"
    />
  );
}
