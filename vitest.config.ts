import { defineConfig } from 'vitest/config';

/** web/vite.config.ts's aliases: tsconfig.json (NodeNext) cannot import that file. */
const PREACT_ALIASES = [
  { find: /^react(-dom)?$/, replacement: 'preact/compat' },
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom\/server$/, replacement: 'preact/compat/server' },
  { find: /^react\/jsx(-dev)?-runtime$/, replacement: 'preact/compat/jsx$1-runtime' },
];

export default defineConfig({
  test: {
    projects: [
      {
        // The UI's component tests render through Preact, as the build does (web/vite.config.ts).
        resolve: { alias: PREACT_ALIASES },
        test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'] },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
});
