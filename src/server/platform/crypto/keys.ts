import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.ts';

function decodeKey(raw: string, source: string): Buffer {
  const trimmed = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32)
    throw new Error(`${source}: the encryption key must be 32 bytes (64 hex characters or base64)`);
  return key;
}

/**
 * The master key for personal data. Production must be given one (GRIDWATCH_KEY or
 * GRIDWATCH_KEY_FILE) and refuses to start without it; the embedded default generates one once
 * into the data folder, readable only by its owner.
 */
export function resolveMasterKey(config: Config): { key: Buffer; source: string } {
  if (config.key) return { key: decodeKey(config.key, 'GRIDWATCH_KEY'), source: 'GRIDWATCH_KEY' };
  if (config.keyFile) {
    return {
      key: decodeKey(fs.readFileSync(config.keyFile, 'utf8'), config.keyFile),
      source: config.keyFile,
    };
  }
  if (config.production) {
    throw new Error(
      '生产模式需要加密密钥：请设置 GRIDWATCH_KEY 或 GRIDWATCH_KEY_FILE / production needs GRIDWATCH_KEY or GRIDWATCH_KEY_FILE',
    );
  }
  const file = path.join(config.dataDir, 'gridwatch.key');
  fs.mkdirSync(config.dataDir, { recursive: true });
  if (!fs.existsSync(file)) {
    // Written to a temporary name and renamed, so a crash never leaves a half-written key.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, randomBytes(32).toString('hex'), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  return { key: decodeKey(fs.readFileSync(file, 'utf8'), file), source: file };
}
