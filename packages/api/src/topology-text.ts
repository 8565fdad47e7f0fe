// The ASCII topology tree of `topology`, `topology-tabulated` and `topology-tags`: one line per
// instance, indented by depth, with a bracketed summary as orchestrator-client users know it:
//   db1:3306     [0s,ok,10.11.6,rw,ROW,>>,GTID]
//   + db2:3306   [0s,ok,10.11.6,ro,ROW,>>,GTID]
import type { Instance } from '@orchestrator/model';

export interface TopologyTextOptions {
  /** Align the summary fields in columns separated by `|` (topology-tabulated). */
  tabulated?: boolean;
  /** Tags per instance key `host:port`, appended to each line (topology-tags). */
  tags?: ReadonlyMap<string, readonly string[]>;
  /** ReasonableReplicationLagSeconds: above it the status is `lag`. Default 10. */
  reasonableLagSeconds?: number;
}

const key = (i: { Key: { Hostname: string; Port: number } }) => `${i.Key.Hostname}:${i.Key.Port}`;

function isReplica(i: Instance): boolean {
  return i.MasterKey.Hostname !== '' && i.MasterKey.Port > 0;
}

function lagString(i: Instance): string {
  if (!i.IsLastCheckValid || !i.IsRecentlyChecked) return 'unknown';
  if (isReplica(i) && !(i.ReplicationSQLThreadRuning && i.ReplicationIOThreadRuning)) return 'null';
  if (!i.ReplicationLagSeconds.Valid) return isReplica(i) ? 'null' : '0s';
  return `${i.ReplicationLagSeconds.Int64}s`;
}

function statusString(i: Instance, reasonableLag: number): string {
  if (!i.IsLastCheckValid) return 'invalid';
  if (!i.IsRecentlyChecked) return 'unchecked';
  if (isReplica(i) && !(i.ReplicationSQLThreadRuning && i.ReplicationIOThreadRuning)) return 'nonreplicating';
  if (isReplica(i) && i.ReplicationLagSeconds.Valid && i.ReplicationLagSeconds.Int64 > reasonableLag)
    return 'lag';
  return 'ok';
}

/** The bracketed summary fields of one instance. */
export function instanceSummary(i: Instance, reasonableLag = 10): string[] {
  const fields = [lagString(i), statusString(i, reasonableLag), i.Version.replace(/-log$/, '') || 'unknown'];
  fields.push(i.ReadOnly ? 'ro' : 'rw');
  fields.push(i.LogBinEnabled ? i.Binlog_format || 'nobinlog' : 'nobinlog');
  if (i.LogBinEnabled && i.LogReplicationUpdatesEnabled) fields.push('>>');
  // A master has no replication channel to say "using GTID"; gtid_mode=ON marks it instead.
  if (i.UsingOracleGTID || i.UsingMariaDBGTID || /^ON/i.test(i.GTIDMode)) fields.push('GTID');
  if (i.UsingPseudoGTID) fields.push('P-GTID');
  if (i.IsDowntimed) fields.push('downtimed');
  return fields;
}

interface Line {
  depth: number;
  instance: Instance;
  cycle: boolean;
}

/** Depth-first order from the roots; replicas sorted by key; a co-master cycle is cut and marked. */
function walk(instances: readonly Instance[]): Line[] {
  const byKey = new Map(instances.map((i) => [key(i), i]));
  const children = new Map<string, Instance[]>();
  for (const i of instances) {
    const master = isReplica(i) ? `${i.MasterKey.Hostname}:${i.MasterKey.Port}` : '';
    if (master !== '' && byKey.has(master) && master !== key(i)) {
      const list = children.get(master) ?? [];
      list.push(i);
      children.set(master, list);
    }
  }
  const sorted = (list: Instance[]) =>
    [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  let roots = instances.filter((i) => {
    const master = `${i.MasterKey.Hostname}:${i.MasterKey.Port}`;
    return !isReplica(i) || !byKey.has(master) || master === key(i);
  });
  // Pure co-master rings have no root: start from the writable member.
  if (roots.length === 0 && instances.length > 0) {
    roots = [instances.find((i) => !i.ReadOnly) ?? (instances[0] as Instance)];
  }
  const lines: Line[] = [];
  const seen = new Set<string>();
  const visit = (i: Instance, depth: number) => {
    if (seen.has(key(i))) {
      lines.push({ depth, instance: i, cycle: true });
      return;
    }
    seen.add(key(i));
    lines.push({ depth, instance: i, cycle: false });
    for (const c of sorted(children.get(key(i)) ?? [])) visit(c, depth + 1);
  };
  for (const r of sorted(roots)) visit(r, 0);
  // Anything unreachable from a root (a ring hanging off nothing) is still listed.
  for (const i of sorted([...instances])) if (!seen.has(key(i))) visit(i, 0);
  return lines;
}

export function topologyText(instances: readonly Instance[], o: TopologyTextOptions = {}): string {
  const lines = walk(instances);
  const names = lines.map(
    (l) => `${'  '.repeat(Math.max(0, l.depth - 1))}${l.depth > 0 ? '+ ' : ''}${key(l.instance)}`,
  );
  const summaries = lines.map((l) => {
    const fields = instanceSummary(l.instance, o.reasonableLagSeconds);
    if (l.cycle) fields.push('co-master');
    return fields;
  });
  const width = Math.max(0, ...names.map((n) => n.length));
  if (o.tabulated) {
    const cols = Math.max(0, ...summaries.map((s) => s.length));
    const colWidths = Array.from({ length: cols }, (_, c) =>
      Math.max(0, ...summaries.map((s) => (s[c] ?? '').length)),
    );
    return lines
      .map((_, n) => {
        const cells = colWidths.map((w, c) => (summaries[n]?.[c] ?? '').padEnd(w));
        return `${(names[n] ?? '').padEnd(width)} |${cells.join('|')}`.trimEnd() + tagSuffix(lines[n], o);
      })
      .join('\n');
  }
  return lines
    .map((l, n) => `${(names[n] ?? '').padEnd(width)} [${(summaries[n] ?? []).join(',')}]${tagSuffix(l, o)}`)
    .join('\n');
}

function tagSuffix(line: Line | undefined, o: TopologyTextOptions): string {
  if (line === undefined || o.tags === undefined) return '';
  const tags = o.tags.get(key(line.instance)) ?? [];
  return tags.length === 0 ? '' : ` [${tags.join(',')}]`;
}
