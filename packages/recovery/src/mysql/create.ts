// Wiring of MySQLOperations from configuration: topology credentials, replication credentials and
// a guard that refuses every change unless this node is raft leader with a quorum.
import { type RecoveryConfig, resolveRecoveryConfig } from '../config.js';
import { LeadershipLostError } from '../errors.js';
import type { Leadership } from '../types.js';
import { createSqlConnector } from './connections.js';
import { MySQLOperations } from './operations.js';

export function createMySQLOperations(
  config: Partial<RecoveryConfig>,
  leadership: Leadership,
): { mysql: MySQLOperations; close: () => Promise<void> } {
  const c = resolveRecoveryConfig(config);
  const connector = createSqlConnector({
    user: c.MySQLTopologyUser,
    password: c.MySQLTopologyPassword,
    connectTimeoutMs: c.MySQLConnectTimeoutSeconds * 1000,
    // The reference's default (600 s) would let one hung server hold a failover for minutes.
    queryTimeoutMs: Math.min(c.MySQLTopologyReadTimeoutSeconds, 10) * 1000,
  });
  const mysql = new MySQLOperations({
    connector,
    guard: (step) => {
      if (!leadership.isLeaderWithQuorum()) throw new LeadershipLostError(step);
    },
    replicaUser: c.MySQLReplicaUser,
    replicaPassword: c.MySQLReplicaPassword,
  });
  return { mysql, close: () => connector.close() };
}
