/**
 * Browser journeys in Debian's Chromium (playwright-core, no downloaded browser). Builds the web
 * app first when its sources changed, then runs e2e/*.e2e.ts with node's test runner.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runNodeTests } from './node-test.ts';

execSync('node scripts/build-web-if-needed.mjs', { stdio: 'inherit' });
const files = fs
  .readdirSync('e2e')
  .filter((f) => f.endsWith('.e2e.ts'))
  .map((f) => path.join('e2e', f))
  .filter((f) => process.argv.length <= 2 || process.argv.slice(2).some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no browser tests found');
  process.exit(1);
}
console.log(`screenshots: ${path.resolve('test-results/screenshots')}`);
process.exit(await runNodeTests(files, { concurrency: 1 }));
