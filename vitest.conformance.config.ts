// The conformance suite (npm run conformance): the same table of cases on the machine's
// real Linux kernel and on the simulator. It needs root, gcc and unshare, so it runs
// apart from `npm test`; .ci/run runs both.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    include: ['test/conformance/**/*.test.ts'],
  },
});
