import { Typography } from 'antd';
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The person code as text under its QR, in groups of four: for a phone whose camera will not read
 * it, the sampler types it (spaces are ignored there). A GW2 code's letters may be typed small; a
 * GW1 code (minted before GW2, still on printed sheets) is case-sensitive, and says so.
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
      {t(code.startsWith('GW1') ? 'sampling.personCode.typedCaseSensitive' : 'sampling.personCode.typed')}
      <br />
      {/* Broken between groups of four, never inside one. The space goes outside each group's
          unbreakable span: inside it, it was no place to break either, and the whole code was one
          unbreakable line that pushed itself and the words above it out of the phone's card. */}
      {groups.map((group, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: groups repeat; their place is their identity
        <Fragment key={i}>
          <span style={{ whiteSpace: 'nowrap' }}>{group}</span>
          {i < groups.length - 1 ? ' ' : ''}
        </Fragment>
      ))}
    </Typography.Paragraph>
  );
}
