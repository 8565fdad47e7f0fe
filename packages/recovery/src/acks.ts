// The ack-recovery payload (reference §1.5): one selector among all / cluster / instance / id / uid.
import type { InstanceKey } from './types.js';

export interface AckSelector {
  owner: string;
  comment: string;
  key?: InstanceKey;
  clusterName?: string;
  id?: number;
  uid?: string;
  all?: boolean;
}

export function ackRecoveryPayload(a: AckSelector, now: number) {
  return {
    CreatedAt: new Date(now).toISOString(),
    Owner: a.owner,
    Comment: a.comment,
    Key: a.key ?? { Hostname: '', Port: 0 },
    ClusterName: a.clusterName ?? '',
    Id: a.id ?? 0,
    UID: a.uid ?? '',
    AllRecoveries: a.all === true,
  };
}
