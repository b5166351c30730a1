import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * The person code as text under its QR, in groups of four: for a phone whose camera will not read
 * it, the sampler types it (spaces are ignored there). Letters are case-sensitive.
 */
export function PersonCodeText({ code, 'data-testid': testId }: { code: string; 'data-testid'?: string }) {
  const { t } = useTranslation();
  const grouped = code.match(/.{1,4}/g)?.join(' ') ?? code;
  return (
    <Typography.Paragraph
      type="secondary"
      copyable={{ text: code }}
      style={{
        fontFamily: 'monospace',
        fontSize: 12,
        textAlign: 'center',
        margin: 0,
        wordBreak: 'break-all',
      }}
      data-testid={testId}
    >
      {t('sampling.personCode.typed')}
      <br />
      {grouped}
    </Typography.Paragraph>
  );
}
