import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Vite resolves a relative root against the working directory; anchoring it to this file lets the
// build run from anywhere (npm scripts, the server's build-if-needed step, an IDE).
const root = fileURLToPath(new URL('./src/web', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
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
