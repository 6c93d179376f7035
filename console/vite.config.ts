/**
 * The merchant console: a single-page app served by the service at /console (same origin as
 * the API). Built by `npm start`/`npm run build` into console/dist (scripts/build.js). JSX is
 * compiled by Vite's own transformer (no React plugin: no fast refresh, see decision 0027).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const apiTarget = `http://127.0.0.1:${process.env.PORT ?? '3000'}`;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev:console`: the API stays on the service; the console is served with live reload.
    proxy: {
      '/v1': apiTarget,
      '/openapi.json': apiTarget,
      '/passes': apiTarget,
    },
  },
});
