import { PrinterOutlined, QrcodeOutlined, ReloadOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Flex, Modal, Popconfirm, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api';
import { useShowError } from '../forms';
import { PersonCodeQr } from './PersonCodeQr';
import { PersonCodeText } from './PersonCodeText';

const printablePath = (code: string) => `/code/${encodeURIComponent(code)}`;

/**
 * A resident's person code (核酸码), on request: fetched when asked for (each fetch is the
 * server's to audit), shown as the QR a sampler scans, with its printable page.
 */
export function PersonCodeButton({
  residentId,
  name,
  canRenew,
}: {
  residentId: string;
  name: string;
  /** May issue a new code (the old one refused everywhere): who may edit the resident. */
  canRenew: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useShowError();
  const personCode = useMutation({
    mutationFn: () => api.get<{ code: string }>(`/residents/${residentId}/person-code`),
    onError: (error) => showError(error),
  });
  const renew = useMutation({
    mutationFn: () => api.post<{ code: string }>(`/residents/${residentId}/person-code/renew`),
    onSuccess: () => void message.success(t('sampling.personCode.renewed')),
    onError: (error) => showError(error),
  });
  const code = renew.data?.code ?? personCode.data?.code;

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
        onCancel={() => {
          personCode.reset();
          renew.reset();
        }}
        footer={null}
        width={400}
      >
        {code && (
          <Flex vertical align="center" gap={12} data-testid="resident-person-code-card">
            <PersonCodeQr code={code} size={240} data-testid="resident-person-code-qr" />
            <PersonCodeText code={code} data-testid="resident-person-code-text" />
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
            {canRenew && (
              <Popconfirm title={t('sampling.personCode.renewConfirm')} onConfirm={() => renew.mutate()}>
                <Button
                  type="link"
                  danger
                  icon={<ReloadOutlined />}
                  loading={renew.isPending}
                  data-testid="resident-person-code-renew"
                >
                  {t('sampling.personCode.renew')}
                </Button>
              </Popconfirm>
            )}
          </Flex>
        )}
      </Modal>
    </>
  );
}
