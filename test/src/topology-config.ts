// The orchestrator settings that point a test cluster at a test-kit MariaDB topology.
import {
  REPLICATION_PASSWORD,
  REPLICATION_USER,
  TOPOLOGY_PASSWORD,
  TOPOLOGY_USER,
  type Topology,
} from '@orchestrator/testkit';

export function topologyConfig(topology: Topology, pollSeconds = 5): Record<string, unknown> {
  return {
    DiscoverySeeds: [`127.0.0.1:${topology.master}`],
    MySQLTopologyUser: TOPOLOGY_USER,
    MySQLTopologyPassword: TOPOLOGY_PASSWORD,
    MySQLReplicaUser: REPLICATION_USER,
    MySQLReplicaPassword: REPLICATION_PASSWORD,
    MySQLHostnameResolveMethod: 'none',
    InstancePollSeconds: pollSeconds,
    RecoveryWarmupSeconds: 1,
    RecoverMasterClusterFilters: ['*'],
    RecoveryPeriodBlockSeconds: 600,
  };
}
