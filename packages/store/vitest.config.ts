import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.mjs';

// Files run one at a time: most of them start a MariaDB, and concurrent datadir bootstraps
// (mariadb-install-db) have been seen to fail on a busy machine.
export default defineConfig({ test: sharedTestConfig({ fileParallelism: false }) });
