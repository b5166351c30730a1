import { App as AntApp, Button, ConfigProvider, Result } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Link, Route, Routes } from 'react-router';
import { isEnglish } from '../domain/language';
import { AppLayout } from './components/AppLayout';
import { RequirePermission } from './components/RequirePermission';
import { NAV_ITEMS, SUB_PAGES } from './navigation';
import { LoginPage } from './pages/LoginPage';
import { PersonCodePage } from './pages/PersonCodePage';
import { TOUCH } from './touch';

const THEME_COLOR = '#1668dc'; // also in index.html and manifest.webmanifest

function NotFound() {
  const { t } = useTranslation();
  return (
    <Result
      status="404"
      title="404"
      subTitle={t('errors.notFound')}
      extra={
        <Link to="/">
          <Button type="primary">{t('nav.home')}</Button>
        </Link>
      }
    />
  );
}

// antd's English form messages put the label mid-sentence ("Please enter Point name") and call
// spaces "a blank character": ours read as a sentence about the field. (antd's Chinese ones read well.)
const ENGLISH_FORM_MESSAGES = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: antd's placeholders, filled by antd
  required: '${label} is required',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: antd's placeholders, filled by antd
  whitespace: '${label} cannot be only spaces',
};

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider
      locale={isEnglish(i18n.language) ? enUS : zhCN}
      theme={{ token: { colorPrimary: THEME_COLOR } }}
      form={isEnglish(i18n.language) ? { validateMessages: ENGLISH_FORM_MESSAGES } : undefined}
      // Under a finger every control is 40 px (a grid worker's thumb, a sampler's glove).
      componentSize={TOUCH ? 'large' : undefined}
    >
      <AntApp>
        <BrowserRouter>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            {/* Public and printable: the QR of the code in the address, no call, no personal data. */}
            <Route path="/code/:code" element={<PersonCodePage />} />
            <Route element={<AppLayout />}>
              {[...NAV_ITEMS, ...SUB_PAGES].map(({ path, page: Page, permission }) => (
                <Route
                  key={path}
                  path={path}
                  element={
                    <RequirePermission permission={permission}>
                      <Page />
                    </RequirePermission>
                  }
                />
              ))}
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}
