import { pinyin } from 'pinyin-pro';

/**
 * Full pinyin and initials of a name, computed once at write time so search by `zhangsanfeng` or
 * `zsf` is an index range scan. Surnames read as surnames (曾 → zeng, 单 → shan).
 */
export function namePinyin(name: string): { full: string; initials: string } {
  const syllables = pinyin(name, { toneType: 'none', type: 'array', surname: 'head', nonZh: 'consecutive' });
  const clean = syllables.map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, '')).filter(Boolean);
  return { full: clean.join(''), initials: clean.map((s) => s[0]).join('') };
}
