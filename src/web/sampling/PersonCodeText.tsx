import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * The person code as text under its QR, in groups of four: for a phone whose camera will not read
 * it, the sampler types it (spaces are ignored there). Letters are case-sensitive.
 */
export function PersonCodeText({ code, 'data-testid': testId }: { code: string; 'data-testid'?: string }) {
  const { t } = useTranslation();
  const groups = code.match(/.{1,4}/g) ?? [code];
  return (
    <Typography.Paragraph
      type="secondary"
      copyable={{ text: code }}
      style={{
        fontFamily: 'monospace',
        fontSize: 12,
        textAlign: 'center',
        margin: 0,
      }}
      data-testid={testId}
    >
      {t('sampling.personCode.typed')}
      <br />
      {/* Broken between groups of four, never inside one (nor inside the words above it). */}
      {groups.map((group, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: groups repeat; their place is their identity
        <span key={i} style={{ whiteSpace: 'nowrap' }}>
          {group}
          {i < groups.length - 1 ? ' ' : ''}
        </span>
      ))}
    </Typography.Paragraph>
  );
}
