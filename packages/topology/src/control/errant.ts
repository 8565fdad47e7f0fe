// Pure GTID arithmetic for locate-gtid-errant and gtid-errant-inject-empty. The I/O (SHOW BINARY
// LOGS, the first events of each binlog) is done by the caller.
import { formatGtidSet, parseGtidSet, parseMariaDBGtidPos, subtractGtidSets } from '@orchestrator/prober';

export type ErrantLocation = { binlogs: string[] } | { purged: string };

/** A MariaDB Gtid_list event's Info (`[0-1-5,0-2-3]`): the binlog state when the file began. */
export function parseGtidListInfo(info: string): Map<string, number> {
  return parseMariaDBGtidPos(info.replace(/[[\]]/g, ''));
}

/**
 * MariaDB: the binlogs holding errant transactions. `files` are the binlogs in order with the state
 * at their start (their Gtid_list event); `endState` is @@gtid_binlog_state. An errant entry
 * `d-s-n` means the transactions of server s in domain d after `masterPos`'s sequence for (d, s)
 * and up to n; a file holds some when (d, s) advanced within it past that bound.
 */
export function locateMariaDBErrant(
  files: readonly { name: string; startState: Map<string, number> }[],
  endState: Map<string, number>,
  errant: string,
  masterPos: string,
): ErrantLocation {
  const master = parseMariaDBGtidPos(masterPos);
  const found = new Set<string>();
  for (const [ds, n] of parseMariaDBGtidPos(errant)) {
    const known = master.get(ds) ?? 0;
    const first = files[0]?.startState.get(ds) ?? 0;
    if (first > known) return { purged: `${ds}-${Math.min(first, n)}` };
    files.forEach((file, i) => {
      const start = file.startState.get(ds) ?? 0;
      const end = (i + 1 < files.length ? files[i + 1]?.startState : endState)?.get(ds) ?? start;
      if (end > Math.max(start, known) && start < n) found.add(file.name);
    });
  }
  return { binlogs: files.map((f) => f.name).filter((name) => found.has(name)) };
}

/**
 * Oracle MySQL (the reference's algorithm): walk the binlogs' Previous_gtids sets; the file before
 * the first one whose Previous_gtids covers part of what is still searched holds that part; what
 * remains at the end is in the last binlog. Refused when part of the errant set is already purged.
 */
export function locateOracleErrant(
  files: readonly { name: string; previousGtids: string }[],
  errant: string,
  gtidPurged: string,
): ErrantLocation {
  const errantSet = parseGtidSet(errant);
  const alreadyPurged = formatGtidSet(
    subtractGtidSets(errantSet, subtractGtidSets(errantSet, parseGtidSet(gtidPurged))),
  );
  if (alreadyPurged !== '') return { purged: alreadyPurged };
  let search = errantSet;
  const binlogs: string[] = [];
  files.forEach((file, i) => {
    if (formatGtidSet(search) === '') return;
    const rest = subtractGtidSets(search, parseGtidSet(file.previousGtids));
    if (formatGtidSet(rest) !== formatGtidSet(search) && i > 0) {
      const holder = files[i - 1]?.name;
      if (holder && !binlogs.includes(holder)) binlogs.push(holder);
      search = rest;
    }
  });
  const last = files[files.length - 1]?.name;
  if (formatGtidSet(search) !== '' && last && !binlogs.includes(last)) binlogs.push(last);
  return { binlogs };
}

/** `uuid:1-3:7` → [`uuid:1`, `uuid:2`, `uuid:3`, `uuid:7`]; throws past `limit` entries. */
export function explodeOracleGtidSet(set: string, limit = 10_000): string[] {
  const out: string[] = [];
  for (const [uuid, intervals] of parseGtidSet(set)) {
    for (const [s, e] of intervals) {
      for (let n = s; n <= e; n++) {
        if (out.length >= limit) throw new RangeError(`more than ${limit} errant transactions`);
        out.push(`${uuid}:${n}`);
      }
    }
  }
  return out;
}

/**
 * MariaDB gtid-errant-reset-master: the gtid_binlog_state to set after RESET MASTER. Each errant
 * (domain, server) goes back to the sequence the master has for it (`masterPos`), or is dropped when
 * the master has none; every other entry is kept as it was.
 */
export function mariadbStateWithoutErrant(state: string, errant: string, masterPos: string): string {
  const master = parseMariaDBGtidPos(masterPos);
  const errantPairs = new Set(parseMariaDBGtidPos(errant).keys());
  const out: string[] = [];
  for (const [ds, seq] of parseMariaDBGtidPos(state)) {
    if (!errantPairs.has(ds)) out.push(`${ds}-${seq}`);
    else {
      const known = master.get(ds);
      if (known !== undefined && known < seq) out.push(`${ds}-${known}`);
    }
  }
  return out.join(',');
}
