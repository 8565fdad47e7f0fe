// GTID set arithmetic done locally (no gtid_subtract round trip): Oracle sets
// "uuid:1-5:7,uuid2:1-3" and MariaDB positions "domain-server-seq,…".

/** uuid → sorted, merged inclusive intervals. */
export type GtidSet = Map<string, [number, number][]>;

function merge(intervals: [number, number][]): [number, number][] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Parses an Oracle GTID set; whitespace and newlines (as MySQL prints them) are ignored. */
export function parseGtidSet(text: string): GtidSet {
  const set: GtidSet = new Map();
  for (const part of text.replace(/\s+/g, '').split(',')) {
    if (!part) continue;
    const [uuid, ...ranges] = part.split(':');
    if (!uuid) continue;
    const id = uuid.toLowerCase();
    const list = set.get(id) ?? [];
    for (const r of ranges) {
      const [a, b] = r.split('-');
      const s = Number(a);
      const e = b === undefined ? s : Number(b);
      if (Number.isFinite(s) && Number.isFinite(e)) list.push([s, e]);
    }
    set.set(id, merge(list));
  }
  return set;
}

export function formatGtidSet(set: GtidSet): string {
  return [...set.entries()]
    .filter(([, iv]) => iv.length > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([uuid, iv]) => `${uuid}:${iv.map(([s, e]) => (s === e ? `${s}` : `${s}-${e}`)).join(':')}`)
    .join(',');
}

/** a − b, like MySQL's GTID_SUBTRACT. */
export function subtractGtidSets(a: GtidSet, b: GtidSet): GtidSet {
  const out: GtidSet = new Map();
  for (const [uuid, intervals] of a) {
    const minus = b.get(uuid) ?? [];
    let rest = intervals.map(([s, e]) => [s, e] as [number, number]);
    for (const [ms, me] of minus) {
      const next: [number, number][] = [];
      for (const [s, e] of rest) {
        if (me < s || ms > e) next.push([s, e]);
        else {
          if (s < ms) next.push([s, ms - 1]);
          if (e > me) next.push([me + 1, e]);
        }
      }
      rest = next;
    }
    if (rest.length > 0) out.set(uuid, rest);
  }
  return out;
}

/**
 * Oracle errant GTIDs: the replica's executed set minus its master's, ignoring transactions of
 * the given ancestor UUIDs (the master's own writes that have not arrived yet are not errant).
 */
export function oracleErrantGtid(
  replicaExecuted: string,
  masterExecuted: string,
  ancestorUUIDs: readonly string[],
): string {
  const diff = subtractGtidSets(parseGtidSet(replicaExecuted), parseGtidSet(masterExecuted));
  for (const uuid of ancestorUUIDs) diff.delete(uuid.toLowerCase());
  return formatGtidSet(diff);
}

/** A MariaDB GTID position: "domain-server" → highest seq_no. */
export function parseMariaDBGtidPos(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of text.replace(/\s+/g, '').split(',')) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!m) continue;
    const k = `${m[1]}-${m[2]}`;
    out.set(k, Math.max(out.get(k) ?? 0, Number(m[3])));
  }
  return out;
}

/**
 * MariaDB errant GTIDs: entries of the replica's binlog position written by a server that is
 * neither an ancestor nor seen by the master at that sequence. MariaDB keeps only the last GTID per
 * (domain, server), so this detects local writes on a replica, not gaps.
 */
export function mariadbErrantGtid(
  replicaBinlogPos: string,
  masterBinlogPos: string,
  ancestorServerIds: readonly number[],
): string {
  const master = parseMariaDBGtidPos(masterBinlogPos);
  const ancestors = new Set(ancestorServerIds.map(String));
  const errant: string[] = [];
  for (const [k, seq] of parseMariaDBGtidPos(replicaBinlogPos)) {
    const server = k.split('-')[1] ?? '';
    if (ancestors.has(server)) continue;
    if ((master.get(k) ?? -1) >= seq) continue;
    errant.push(`${k}-${seq}`);
  }
  return errant.join(',');
}
