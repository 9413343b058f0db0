// Test settings: generous timeouts, because CI and this workplace run on a shared
// 2-core machine where a property suite that takes 2 s alone can take 20 s under load.
// Speed is measured in `npm run bench`, never by test timeouts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    include: ['test/**/*.test.ts'],
    // Run by `npm run conformance` (vitest.conformance.config.ts).
    exclude: ['test/conformance/**', 'node_modules/**'],
  },
});
