// A recovery as the backend holds it (topology_recovery), in the JSON shape of /api/audit-recovery.
import type { InstanceKey } from './instance.js';

export interface TopologyRecoveryRecord {
  Id: number;
  UID: string;
  AnalysisEntry: Record<string, unknown>;
  SuccessorKey: InstanceKey | null;
  SuccessorAlias: string;
  IsActive: boolean;
  IsSuccessful: boolean;
  LostReplicas: InstanceKey[];
  ParticipatingInstanceKeys: InstanceKey[];
  AllErrors: string[];
  RecoveryStartTimestamp: string;
  RecoveryEndTimestamp: string;
  ProcessingNodeHostname: string;
  ProcessingNodeToken: string;
  Acknowledged: boolean;
  AcknowledgedAt: string;
  AcknowledgedBy: string;
  AcknowledgedComment: string;
  LastDetectionId: number;
  RelatedRecoveryId: number;
  Type: string;
}
