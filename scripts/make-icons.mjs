// Writes the home-screen icons (src/web/public/icons/icon-{192,512}.png): the theme colour with a
// white 3×3 grid, the "网格" of 网格防控. Plain PNG from node:zlib, so no image tooling is needed.
// Run: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const BACKGROUND = [0x16, 0x68, 0xdc]; // #1668dc, the web app's theme colour
const WHITE = [0xff, 0xff, 0xff];
const outDir = new URL('../src/web/public/icons/', import.meta.url);

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** The grid sits in the middle 56%, inside the safe zone of a maskable icon. */
function isGridLine(x, y, size) {
  const start = Math.round(size * 0.22);
  const end = size - start;
  const thickness = Math.max(2, Math.round(size / 28));
  if (x < start || x >= end || y < start || y >= end) return false;
  const cell = (end - start - thickness) / 3;
  const onLine = (v) => [0, 1, 2, 3].some((i) => v >= start + i * cell && v < start + i * cell + thickness);
  return onLine(x) || onLine(y);
}

function png(size) {
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3); // leading 0: no filter
    for (let x = 0; x < size; x++) row.set(isGridLine(x, y, size) ? WHITE : BACKGROUND, 1 + x * 3);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(outDir, { recursive: true });
for (const size of [192, 512]) {
  writeFileSync(new URL(`icon-${size}.png`, outDir), png(size));
  console.log(`icon-${size}.png`);
}
