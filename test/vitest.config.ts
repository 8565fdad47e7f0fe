import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../vitest.shared.mjs';

// End-to-end suites start real processes and MariaDB servers: run files one at a time so timing-
// sensitive checks (elections, failovers) do not compete for the machine's two cores.
export default defineConfig({
  test: sharedTestConfig({
    include: ['e2e/**/*.test.ts', 'src/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
  }),
});
