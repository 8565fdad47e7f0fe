import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.mjs';

// Test files run one after another: the MariaDB tests start real servers (2 shared cores), and
// concurrent `mariadb-install-db` runs in parallel workers occasionally collide on /tmp files.
export default defineConfig({ test: sharedTestConfig({ fileParallelism: false }) });
