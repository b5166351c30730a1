import assert from 'node:assert/strict';
import { test } from 'node:test';
import { personCodeFrom } from './qrReader.ts';

const minted = 'GW206H2TMCTW5RFZ7SXCK10MKVRTXV3D92WHH89Z50';

test('a person code typed or scanned is sent as minted; anything else is never sent', () => {
  // Typed from the sheet on a phone: small letters, o for 0, l for 1, the sheet's spaces.
  assert.equal(personCodeFrom('gw2o 6h2t mctw 5rfz 7sxc klom kvrt xv3d 92wh h89z 5o'), minted);
  // The QR of the printable page's link, and a Chinese input method's full-width characters.
  assert.equal(personCodeFrom(`https://gridwatch.example/code/${minted.toLowerCase()}?lang=en`), minted);
  assert.equal(personCodeFrom('ＧＷ２06H2TMCTW5RFZ7SXCK10MKVRTXV3D92WHH89Z50'), minted);
  // A GW1 code (printed before GW2) is case-sensitive: kept as it came.
  const legacy = 'GW1AZr-0_ZZ9abcdefghijklmnopqrstuvwxyz012';
  assert.equal(personCodeFrom(legacy), legacy);
  // A format minted after this page was loaded goes to the server, which judges it.
  assert.equal(
    personCodeFrom('GW3abcdefghijklmnopqrstuvwxyz0123456789'),
    'GW3abcdefghijklmnopqrstuvwxyz0123456789',
  );
  // A payment code, a tube's label, a code far too short: nothing to send.
  for (const other of ['https://qr.alipay.com/fkx12345', 'D501300026', minted.slice(0, 20)])
    assert.equal(personCodeFrom(other), '', other);
});
