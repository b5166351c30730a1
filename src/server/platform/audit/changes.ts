import { maskIdNumber, maskPhone } from '../../../domain/masking.ts';

export type Snapshot = Record<string, unknown> | null | undefined;
export type Changes = Record<string, { from?: unknown; to?: unknown }>;

const SECRET = /password|token|secret|enc$|hash$/i;
const maskers: Record<string, (v: string) => string> = {
  phone: maskPhone,
  idNumber: maskIdNumber,
};

/** Audit never holds a secret or a full ID/phone, whatever the caller passes. */
function maskValue(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (SECRET.test(key)) return '[已隐藏]';
  const mask = maskers[key];
  if (mask && typeof value === 'string') return mask(value);
  return value;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Before/after of the fields that changed, with sensitive values masked. */
export function diffSnapshots(before: Snapshot, after: Snapshot): Changes {
  const changes: Changes = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    const from = before?.[key];
    const to = after?.[key];
    if (before && after && same(from, to)) continue;
    const entry: { from?: unknown; to?: unknown } = {};
    if (before) entry.from = maskValue(key, from);
    if (after) entry.to = maskValue(key, to);
    changes[key] = entry;
  }
  return changes;
}
