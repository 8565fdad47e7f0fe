// The command line's text output, line for line as the reference's go/app/cli.go prints it (so
// scripts written against `orchestrator -c …` keep working), and its input parsing. Pure.
import type { InstanceKey } from '@orchestrator/store';

/** The reference's DefaultInstancePort. */
export const DEFAULT_PORT = 3306;

/** InstanceKey.DisplayString(): `host:port`. */
export function displayKey(key: InstanceKey): string {
  return `${key.Hostname}:${key.Port}`;
}

/** A key is valid when it has a hostname and a port (InstanceKey.IsValid). */
export function isValidKey(key: InstanceKey | null | undefined): key is InstanceKey {
  return key !== null && key !== undefined && key.Hostname !== '' && key.Port > 0;
}

/** `host[:port]` → key (port 3306 when omitted); null for an empty or malformed value. */
export function parseInstance(value: string | undefined): InstanceKey | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  let host = text;
  let port = DEFAULT_PORT;
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else {
    const colon = text.lastIndexOf(':');
    // A single colon separates the port; more than one is a bare IPv6 address.
    if (colon > 0 && text.indexOf(':') === colon) {
      host = text.slice(0, colon);
      if (!/^\d{1,5}$/.test(text.slice(colon + 1))) return null;
      port = Number(text.slice(colon + 1));
    }
  }
  if (host === '' || /[\s/]/.test(host) || port < 1 || port > 65535) return null;
  return { Hostname: host, Port: port };
}

/** `-i a,b c` → each instance (CliWrapper: commas, spaces, tabs and newlines separate them). */
export function splitInstances(value: string | undefined): string[] {
  return (value ?? '').split(/[ ,\r\n\t]+/).filter((s) => s !== '');
}

/** `relocate`, `move-below`, `repoint`…: `instance<master`. */
export function movedLine(instance: InstanceKey, master: InstanceKey): string {
  return `${displayKey(instance)}<${displayKey(master)}`;
}

/** replication-analysis: `host:port (cluster name): Analysis, StructureWarning, …` (AnalysisString). */
export function analysisLine(entry: {
  AnalyzedInstanceKey: InstanceKey;
  ClusterDetails: { ClusterName: string };
  Analysis: string;
  StructureAnalysis?: readonly string[];
}): string {
  const parts = [
    ...(entry.Analysis !== 'NoProblem' ? [entry.Analysis] : []),
    ...(entry.StructureAnalysis ?? []),
  ];
  return `${displayKey(entry.AnalyzedInstanceKey)} (cluster ${entry.ClusterDetails.ClusterName}): ${parts.join(', ')}`;
}

/** ack-*-recoveries (the reference's spelling, kept for scripts that match it). */
export function ackLine(count: number): string {
  return `${count} recoveries acknowldged`;
}

/**
 * graceful-master-takeover's second line: the promoted master's binlog coordinates as Go prints
 * the BinlogCoordinates struct (`{file pos type}`, type 0 = binary log).
 */
export function coordinatesLine(c: { LogFile: string; LogPos: number } | null | undefined): string {
  return c ? `{${c.LogFile} ${c.LogPos} 0}` : '{ 0 0}';
}

/** `clusters-alias`: name and alias, tab-separated. */
export function clusterAliasLine(info: { ClusterName: string; ClusterAlias: string }): string {
  return `${info.ClusterName}\t${info.ClusterAlias}`;
}

/** bulk-promotion-rules: `host:port rule` (CandidateDatabaseInstance.String()), sorted. */
export function promotionRuleLines(
  rows: readonly { Hostname: string; Port: number; PromotionRule: string }[],
): string[] {
  return rows.map((r) => `${r.Hostname}:${r.Port} ${r.PromotionRule}`).sort();
}

/** How a result is printed: the reference's lines, or JSON (the HTTP API's shape) with --json. */
export function render(output: { lines: readonly string[]; json: unknown }, json: boolean): string {
  if (json) return `${JSON.stringify(output.json ?? null, null, 2)}\n`;
  return output.lines.length === 0 ? '' : `${output.lines.join('\n')}\n`;
}
