import { defineConfig } from 'vite';

/**
 * The app is written against React's API and types (@types/react) and ships Preact through its
 * compat layer: React DOM was 203 KB of the 260 KB entry chunk, and parsing, compiling and running
 * it was most of a cold first visit's time before the first row could paint (docs/benchmarks.md).
 * vitest.config.ts aliases the same modules, so the component tests run what ships.
 */
export const PREACT_ALIASES = [
  { find: /^react(-dom)?$/, replacement: 'preact/compat' },
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom\/server$/, replacement: 'preact/compat/server' },
  { find: /^react\/jsx(-dev)?-runtime$/, replacement: 'preact/compat/jsx$1-runtime' },
];

// The UI is built into dist/web and served by the Snag process itself (src/http/static.ts).
export default defineConfig({
  root: import.meta.dirname,
  resolve: { alias: PREACT_ALIASES },
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
