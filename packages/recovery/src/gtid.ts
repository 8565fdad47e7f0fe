// GTID positions: MariaDB's "domain-server-seq" lists and Oracle's "uuid:1-5:7" sets, parsed and
// compared so replicas can be ordered by how much of the dead master's stream they applied.

/** MariaDB position: highest sequence number applied per replication domain. */
export type MariaDBGtidPosition = Map<number, { serverId: number; seq: bigint }>;

export function parseMariaDBGtidPos(text: string): MariaDBGtidPosition {
  const pos: MariaDBGtidPosition = new Map();
  for (const part of text.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const match = /^(\d+)-(\d+)-(\d+)$/.exec(trimmed);
    if (!match) throw new Error(`invalid MariaDB GTID ${JSON.stringify(trimmed)}`);
    const domain = Number(match[1]);
    const seq = BigInt(match[3] as string);
    const previous = pos.get(domain);
    if (!previous || previous.seq < seq) pos.set(domain, { serverId: Number(match[2]), seq });
  }
  return pos;
}

export function formatMariaDBGtidPos(pos: MariaDBGtidPosition): string {
  return [...pos.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([domain, { serverId, seq }]) => `${domain}-${serverId}-${seq}`)
    .join(',');
}

export type PositionComparison = 'equal' | 'ahead' | 'behind' | 'diverged';

/**
 * Compares a to b domain by domain: 'ahead' when a has applied at least as much in every domain and
 * more in one, 'diverged' when each is ahead somewhere (neither can replicate from the other safely).
 */
export function compareMariaDBGtid(a: MariaDBGtidPosition, b: MariaDBGtidPosition): PositionComparison {
  let aAhead = false;
  let bAhead = false;
  for (const domain of new Set([...a.keys(), ...b.keys()])) {
    const sa = a.get(domain)?.seq ?? -1n;
    const sb = b.get(domain)?.seq ?? -1n;
    if (sa > sb) aAhead = true;
    else if (sb > sa) bAhead = true;
  }
  if (aAhead && bAhead) return 'diverged';
  if (aAhead) return 'ahead';
  if (bAhead) return 'behind';
  return 'equal';
}

/** Sum of sequence numbers: a total order used only to rank positions that diverged. */
export function mariaDBGtidWeight(pos: MariaDBGtidPosition): bigint {
  let sum = 0n;
  for (const { seq } of pos.values()) sum += seq;
  return sum;
}

/** Oracle GTID set: per source UUID, sorted disjoint closed intervals. */
export type OracleGtidSet = Map<string, [bigint, bigint][]>;

export function parseOracleGtidSet(text: string): OracleGtidSet {
  const set: OracleGtidSet = new Map();
  for (const part of text.replace(/\s+/g, '').split(',')) {
    if (part === '') continue;
    const [uuid, ...ranges] = part.split(':');
    if (!uuid || ranges.length === 0) throw new Error(`invalid GTID set element ${JSON.stringify(part)}`);
    const list = set.get(uuid.toLowerCase()) ?? [];
    for (const range of ranges) {
      const match = /^(\d+)(?:-(\d+))?$/.exec(range);
      if (!match)
        throw new Error(`invalid GTID interval ${JSON.stringify(range)} in ${JSON.stringify(part)}`);
      const start = BigInt(match[1] as string);
      list.push([start, match[2] === undefined ? start : BigInt(match[2])]);
    }
    set.set(uuid.toLowerCase(), normalizeIntervals(list));
  }
  return set;
}

function normalizeIntervals(list: [bigint, bigint][]): [bigint, bigint][] {
  const sorted = [...list].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (!last || s > last[1] + 1n) out.push([s, e]);
    else if (e > last[1]) last[1] = e;
  }
  return out;
}

export function oracleGtidCount(set: OracleGtidSet): bigint {
  let n = 0n;
  for (const list of set.values()) for (const [s, e] of list) n += e - s + 1n;
  return n;
}

/** True when every transaction of `sub` is in `sup`. */
export function oracleGtidContains(sup: OracleGtidSet, sub: OracleGtidSet): boolean {
  for (const [uuid, list] of sub) {
    const outer = sup.get(uuid) ?? [];
    for (const [s, e] of list) if (!outer.some(([os, oe]) => os <= s && e <= oe)) return false;
  }
  return true;
}

export function compareOracleGtid(a: OracleGtidSet, b: OracleGtidSet): PositionComparison {
  const aHasB = oracleGtidContains(a, b);
  const bHasA = oracleGtidContains(b, a);
  if (aHasB && bHasA) return 'equal';
  if (aHasB) return 'ahead';
  if (bHasA) return 'behind';
  return 'diverged';
}
