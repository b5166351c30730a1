import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { isEnglish, nameIn } from '../domain/language';
import en from './locales/en';
import zh from './locales/zh';

export type Language = 'zh-CN' | 'en';

const STORAGE_KEY = 'gridwatch.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof zh };
  }
}

function storedLanguage(): Language {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
}

// Registered before init so the first language is applied to <html lang> and dayjs as well.
i18n.on('languageChanged', (language) => {
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  // antd's date pickers take weekday and month names from dayjs' global locale.
  dayjs.locale(language === 'en' ? 'en' : 'zh-cn');
});

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zh }, en: { translation: en } },
  lng: storedLanguage(),
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false }, // React escapes already
});

/** Picks the Chinese or English variant of a name the server or the domain gives in both. */
export function localized(language: string, zh: string, enText: string): string {
  return isEnglish(language) ? enText : zh;
}

/** The same for the `{zh, en}` names the domain defines (residence statuses, document types, …). */
export { nameIn };

export default i18n;
