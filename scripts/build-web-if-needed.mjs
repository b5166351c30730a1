// `npm start` on a fresh clone: build the web app once, and again whenever its sources are newer.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const out = path.resolve('dist/web/index.html');
function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}
// The build's own config too: a change to how it builds (its chunks, its compressed copies) is a
// change to what it builds.
const stale =
  !fs.existsSync(out) ||
  Math.max(newest('src/web'), newest('src/domain'), fs.statSync('vite.config.ts').mtimeMs) >
    fs.statSync(out).mtimeMs;
if (stale && process.env.GRIDWATCH_SKIP_WEB_BUILD !== '1') {
  console.log('构建网页界面 / building the web app…');
  execSync('npx vite build --logLevel warn', { stdio: 'inherit' });
}
