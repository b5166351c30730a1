import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scanInstant } from './scan-service.ts';

describe('scanInstant: when a scan happened, by the server’s clock', () => {
  const now = new Date('2026-11-30T02:00:00.000Z');
  const iso = (ms: number) => new Date(ms).toISOString();

  test('a phone three hours slow: only the wait between scanning and sending is taken from it', () => {
    const phoneNow = now.getTime() - 3 * 3_600_000;
    const at = scanInstant({ scannedAt: iso(phoneNow - 120_000), sentAt: iso(phoneNow) }, now);
    assert.equal(at.toISOString(), iso(now.getTime() - 120_000));
  });

  test('a phone fast by a day: the scan is not put in the future', () => {
    const phoneNow = now.getTime() + 86_400_000;
    const at = scanInstant({ scannedAt: iso(phoneNow - 5_000), sentAt: iso(phoneNow) }, now);
    assert.equal(at.toISOString(), iso(now.getTime() - 5_000));
  });

  test('without sentAt (an older client) the phone’s scannedAt stands, but never later than now', () => {
    assert.equal(
      scanInstant({ scannedAt: iso(now.getTime() - 60_000) }, now).toISOString(),
      iso(now.getTime() - 60_000),
    );
    assert.equal(
      scanInstant({ scannedAt: iso(now.getTime() + 60_000) }, now).toISOString(),
      now.toISOString(),
    );
    assert.equal(scanInstant({}, now).toISOString(), now.toISOString());
  });

  test('a sentAt before scannedAt (the clock set back in between) is ignored', () => {
    const at = scanInstant(
      { scannedAt: iso(now.getTime() - 60_000), sentAt: iso(now.getTime() - 120_000) },
      now,
    );
    assert.equal(at.toISOString(), iso(now.getTime() - 60_000));
  });
});
