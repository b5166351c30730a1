import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// Vite resolves a relative root against the working directory; anchoring it to this file lets the
// build run from anywhere (npm scripts, the server's build-if-needed step, an IDE).
const root = fileURLToPath(new URL('./src/web', import.meta.url));

/**
 * Writes a brotli and a gzip copy beside every text file of the build, which the server sends to
 * browsers that take them (@fastify/static's preCompressed): the first load on a village's 2G
 * link is ~0.5 MB instead of ~2 MB, compressed once here at the highest level, not per request.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'gridwatch-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const files = (dir: string): string[] =>
        fs
          .readdirSync(dir, { withFileTypes: true })
          .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of files(outDir)) {
        if (!/\.(js|css|html|svg|json|webmanifest)$/.test(file)) continue;
        const body = fs.readFileSync(file);
        if (body.length < 1024) continue;
        fs.writeFileSync(
          `${file}.br`,
          zlib.brotliCompressSync(body, {
            params: {
              [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
              [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          }),
        );
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(body, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // antd is kept as one chunk on purpose (cached across releases, preloaded for offline use);
    // at ~1 MB minified (~320 kB gzip) it is above Vite's default 500 kB warning.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // Libraries change far less often than the app: separate chunks stay cached across releases.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/, priority: 3 },
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design|@rc-component|dayjs)[\\/]/, priority: 2 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      // With the slash: a bare '/api' prefix would also send the app's own /api.ts to the server.
      '/api/': { target: 'http://127.0.0.1:3000' },
    },
  },
});
