import { PrinterOutlined, QrcodeOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Button, Flex, Modal, Typography } from 'antd';
import { QRCodeSVG } from 'qrcode.react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { useShowError } from '../forms';

const printablePath = (code: string) => `/code/${encodeURIComponent(code)}`;

/**
 * A resident's person code (核酸码), on request: fetched when asked for (each fetch is the
 * server's to audit), shown as the QR a sampler scans, with its printable page.
 */
export function PersonCodeButton({ residentId, name }: { residentId: string; name: string }) {
  const { t } = useTranslation();
  const showError = useShowError();
  const personCode = useMutation({
    mutationFn: () => api.get<{ code: string }>(`/residents/${residentId}/person-code`),
    onError: (error) => showError(error),
  });
  const code = personCode.data?.code;

  // The printable page opens its print dialog when asked to by `?print=1`.
  const print = () => code && window.open(`${printablePath(code)}?print=1`, '_blank', 'noopener');

  return (
    <>
      <Button
        icon={<QrcodeOutlined />}
        loading={personCode.isPending}
        onClick={() => personCode.mutate()}
        data-testid="resident-person-code"
      >
        {t('sampling.personCode.button')}
      </Button>
      <Modal
        open={Boolean(code)}
        title={t('sampling.personCode.title', { name })}
        onCancel={() => personCode.reset()}
        footer={null}
        width={400}
      >
        {code && (
          <Flex vertical align="center" gap={12} data-testid="resident-person-code-card">
            <QRCodeSVG
              value={code}
              level="M"
              marginSize={4}
              size={240}
              data-testid="resident-person-code-qr"
            />
            <Typography.Text strong>{t('sampling.personCode.show')}</Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('sampling.personCode.noPersonalData')}
            </Typography.Text>
            <Flex gap={8} wrap justify="center">
              <Link to={printablePath(code)} target="_blank" data-testid="resident-person-code-link">
                <Button>{t('sampling.personCode.openPrintable')}</Button>
              </Link>
              <Button icon={<PrinterOutlined />} onClick={print} data-testid="resident-person-code-print">
                {t('sampling.personCode.print')}
              </Button>
            </Flex>
          </Flex>
        )}
      </Modal>
    </>
  );
}
