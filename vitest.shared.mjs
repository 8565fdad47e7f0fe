// Settings every package's vitest.config.ts shares: only sources are collected (never dist/),
// and every run also writes a JSON report that scripts/test-all.mjs sums up.

/** @param {import('vitest/config').ViteUserConfig['test']} overrides */
export function sharedTestConfig(overrides = {}) {
  return {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    passWithNoTests: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    ...overrides,
  };
}
