/**
 * Benchmarks: `npm run bench -- <name> [--options]`. Each prints its figures and, as its last line,
 * one JSON object. They measure; they never assert timings.
 */
const benches: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  platform: () => import('./platform.bench.ts'),
  'residents-import': async () => ({ run: (await import('./residents.bench.ts')).runImport }),
  'residents-search': async () => ({ run: (await import('./residents.bench.ts')).runSearch }),
  testing: () => import('./testing.bench.ts'),
};

const [name, ...args] = process.argv.slice(2);
const load = name ? benches[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]`);
  process.exit(2);
}
await (await load()).run(args);
process.exit(0);

export {};
