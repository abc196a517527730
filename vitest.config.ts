import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{engine,ingest,query-lang,storage,ui,bench,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
