// Test runner settings: tests live beside the code (*.test.ts) and in test/ for what spans modules.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['knowledge/**/*.test.ts', 'bot/**/*.test.ts', 'handoff/**/*.test.ts', 'widget/**/*.test.ts', 'test/**/*.test.ts'],
    // PostgreSQL and Redis for the multi-node tests (started here when installed and not given by URL).
    globalSetup: ['test/services/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
