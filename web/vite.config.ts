import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The UI is built into dist/web and served by the Snag process itself (src/http/static.ts).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // The CSP forbids inline scripts; keep Vite from inlining its module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8000', '/_health': 'http://127.0.0.1:8000' } },
});
