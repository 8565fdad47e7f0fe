// What a probe of a replica says about its link to its master, compared probe to probe: a
// signature of everything that moves when the replica receives something, and what counts as a
// change worth an immediate analysis. Pure.
import type { Instance } from '@orchestrator/model';
import { isValidKey, keyString } from '../keys.js';

export interface LinkObservation {
  signature: string;
  /** When this signature was first seen (epoch ms). */
  firstAt: number;
  /** Provable silence as of the latest probe: time between first and latest sighting, or what the replica reports. */
  silentMs: number;
}

/** Everything that moves when a replica receives something from its master. */
export function linkSignature(i: Instance): string {
  return [
    keyString(i.MasterKey),
    i.SlaveIORunningText,
    i.ReadBinlogCoordinates.LogFile,
    i.ReadBinlogCoordinates.LogPos,
    i.ReplicationLink.GtidIOPos,
    i.ReplicationLink.HeartbeatsReceived,
  ].join('|');
}

/**
 * The observation after a probe of `inst` at `now`, given the previous one (undefined for a
 * master: it has no link). Unchanged since its first sighting means nothing arrived since.
 */
export function observeLink(
  previous: LinkObservation | undefined,
  inst: Instance,
  now: number,
): LinkObservation | undefined {
  if (!isValidKey(inst.MasterKey)) return undefined;
  const signature = linkSignature(inst);
  const reported = inst.ReplicationLink.LastReceivedAgeMs;
  const firstAt = previous?.signature === signature ? previous.firstAt : now;
  return { signature, firstAt, silentMs: Math.max(now - firstAt, reported.Valid ? reported.Int64 : 0) };
}

/** A change worth an immediate analysis: reachability, master, thread states, errors. */
export function replicationChanged(a: Instance, b: Instance): boolean {
  return (
    keyString(a.MasterKey) !== keyString(b.MasterKey) ||
    a.ReplicationIOThreadState !== b.ReplicationIOThreadState ||
    a.ReplicationSQLThreadState !== b.ReplicationSQLThreadState ||
    a.LastIOErrno !== b.LastIOErrno ||
    a.LastSQLErrno !== b.LastSQLErrno ||
    a.ReadOnly !== b.ReadOnly ||
    a.Replicas.length !== b.Replicas.length
  );
}
