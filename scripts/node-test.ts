import { spawn } from 'node:child_process';

/**
 * Runs test files with node's test runner under tsx (Node 20 finds none by itself), echoes its
 * output and ends with the plain `N passed, N failed` line CI reads. Resolves to the exit code:
 * non-zero on any failure, and also when no test ran at all.
 */
export async function runNodeTests(
  files: string[],
  options: { concurrency: number; env?: NodeJS.ProcessEnv },
): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${options.concurrency}`,
      '--test-reporter=spec',
      ...files,
    ],
    { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    out += chunk.toString();
  });
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  const count = (name: string) => Number(out.match(new RegExp(`^ℹ ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail');
  console.log(`${passed} passed, ${failed} failed`);
  return code !== 0 || failed > 0 || passed === 0 ? 1 : 0;
}
