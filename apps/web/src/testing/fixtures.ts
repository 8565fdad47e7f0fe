// Instances for the unit tests: `inst(port, masterPort)` on host h, replicating with MariaDB GTID.
import type { Instance } from '../model';

export function inst(port: number, masterPort: number | null, extra: Partial<Instance> = {}): Instance {
  return {
    Key: { Hostname: 'h', Port: port },
    MasterKey: { Hostname: masterPort === null ? '' : 'h', Port: masterPort ?? 0 },
    ClusterName: 'h:1',
    Version: '11.8.3-MariaDB',
    ReadOnly: masterPort !== null,
    ReplicationSQLThreadRuning: masterPort !== null,
    ReplicationIOThreadRuning: masterPort !== null,
    LastSQLError: '',
    LastIOError: '',
    SecondsBehindMaster: { Int64: 0, Valid: masterPort !== null },
    ReplicationLagSeconds: { Int64: 0, Valid: masterPort !== null },
    GTIDMode: 'OFF',
    UsingOracleGTID: false,
    UsingMariaDBGTID: masterPort !== null,
    IsLastCheckValid: true,
    IsUpToDate: true,
    IsDowntimed: false,
    DowntimeReason: '',
    DowntimeOwner: '',
    DowntimeEndTimestamp: '',
    PromotionRule: 'neutral',
    IsCoMaster: false,
    Problems: [],
    ReplicationDepth: 0,
    LastSeenTimestamp: '',
    ...extra,
  };
}
