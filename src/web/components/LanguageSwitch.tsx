import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Language } from '../i18n';
import { touchSize } from '../touch';

const OPTIONS: { label: string; value: Language }[] = [
  { label: '中文', value: 'zh-CN' },
  { label: 'English', value: 'en' },
];

export function LanguageSwitch() {
  const { i18n } = useTranslation();
  return (
    <Segmented
      size={touchSize('small')}
      options={OPTIONS}
      value={i18n.language as Language}
      onChange={(language) => void i18n.changeLanguage(language)}
      data-testid="language-switch"
    />
  );
}
