import { QRCodeSVG } from 'qrcode.react';
import type { CSSProperties } from 'react';

/**
 * A person code's QR, on the phone's screen and on the printed sheet alike. Error correction Q
 * (a quarter of the symbol may be lost: a cracked screen, a creased sheet, glare): a GW2 code is
 * in the QR's alphanumeric mode, so at Q it needs the 29 × 29 modules a GW1 code needed at M, and
 * a renewed one fits them too.
 */
export function PersonCodeQr({
  code,
  size,
  title,
  style,
  'data-testid': testId,
}: {
  code: string;
  size: number;
  title?: string;
  style?: CSSProperties;
  'data-testid'?: string;
}) {
  return (
    <QRCodeSVG
      value={code}
      level="Q"
      marginSize={4}
      size={size}
      title={title}
      style={style}
      data-testid={testId}
    />
  );
}
