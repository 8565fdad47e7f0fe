import type { ViteUserConfig } from 'vitest/config';

type TestConfig = NonNullable<ViteUserConfig['test']>;
export function sharedTestConfig(overrides?: TestConfig): TestConfig;
