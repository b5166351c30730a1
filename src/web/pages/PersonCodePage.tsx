import { PrinterOutlined } from '@ant-design/icons';
import { Button, Flex, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { PersonCodeQr } from '../sampling/PersonCodeQr';
import { PersonCodeText } from '../sampling/PersonCodeText';

/**
 * The printable person code (/code/:code), open to anyone holding the link: the QR of the code in
 * the address and nothing else. No call to the server and no personal data, so it can be printed
 * for a household, pinned to a door, or shown from a phone's photos.
 */
export function PersonCodePage() {
  const { t } = useTranslation();
  const { code = '' } = useParams();
  const [params] = useSearchParams();
  const printNow = params.get('print') === '1';
  // Opened by a print button elsewhere: the dialog once the code is drawn.
  useEffect(() => {
    if (!printNow) return;
    const timer = window.setTimeout(() => window.print(), 300);
    return () => window.clearTimeout(timer);
  }, [printNow]);
  return (
    <Flex vertical align="center" gap={16} style={{ minHeight: '100vh', padding: 24, background: '#fff' }}>
      <style>
        {'.person-code-print-only { display: none; } ' +
          '@media print { .person-code-screen-only { display: none !important; } .person-code-print-only { display: block; } }'}
      </style>
      <Flex justify="end" style={{ width: '100%' }} className="person-code-screen-only">
        <LanguageSwitch />
      </Flex>
      <Typography.Title level={1} style={{ margin: 0 }} data-testid="person-code-heading">
        {t('sampling.personCode.heading')}
      </Typography.Title>
      <div style={{ width: 'min(80vw, 70vh, 420px)', aspectRatio: '1' }}>
        <PersonCodeQr
          code={code}
          size={420}
          title={t('sampling.personCode.heading')}
          style={{ width: '100%', height: '100%' }}
          data-testid="person-code-qr"
        />
      </div>
      <PersonCodeText code={code} data-testid="person-code-text" />
      <Typography.Title level={3} style={{ margin: 0, textAlign: 'center' }}>
        {t('sampling.personCode.show')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('sampling.personCode.noPersonalData')}</Typography.Text>
      {/* A household's sheets look alike (the page carries no name): a line to write it by hand. */}
      <Typography.Title level={4} className="person-code-print-only" style={{ margin: '16px 0 0' }}>
        {t('sampling.personCode.holderLine')}
      </Typography.Title>
      <Button
        size="large"
        icon={<PrinterOutlined />}
        onClick={() => window.print()}
        className="person-code-screen-only"
        data-testid="person-code-print"
      >
        {t('sampling.personCode.print')}
      </Button>
    </Flex>
  );
}
