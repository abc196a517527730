import { defineConfig } from 'vite';

// The engine serves `dist/ui/` at `/` and the REST API under `/api/v1` on the same origin.
// For `vite` in development, TELHAWK_API_URL names a running appliance to proxy the API to.
const apiTarget = process.env['TELHAWK_API_URL'];

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    proxy: apiTarget ? { '/api': { target: apiTarget, changeOrigin: false } } : {},
  },
});
