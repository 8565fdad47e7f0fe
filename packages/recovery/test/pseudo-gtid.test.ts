import { describe, expect, it } from 'vitest';
import {
  type BinlogEvent,
  type BinlogSource,
  correlate,
  effectivePseudoGtid,
  findLastPseudoGtid,
  type MatchOptions,
  normalizeInfo,
  pseudoGtidMatcher,
  searchEntry,
  validatePseudoGtidConfig,
} from '../src/pseudo-gtid/index.js';

/** A server's binlogs as arrays of [type, info]; positions are made up (each event 100 bytes). */
function source(name: string, files: Record<string, [string, string][]>, log?: string[]): BinlogSource {
  const events = new Map<string, BinlogEvent[]>();
  for (const [file, list] of Object.entries(files))
    events.set(
      file,
      list.map(([type, info], i) => ({ file, pos: 4 + i * 100, end: 4 + (i + 1) * 100, type, info })),
    );
  return {
    name,
    files: async () => Object.keys(files),
    events: async (file, from, limit) => {
      log?.push(`${file}@${from}`);
      return (events.get(file) ?? []).filter((e) => e.pos >= from).slice(0, limit);
    },
  };
}

const marker = (n: number) => `drop view if exists \`_pseudo_gtid_\`.\`_asc:0000000${n}:00000001:abcdef\``;
const q = (info: string): [string, string] => ['Query', info];
const P = (n: number) => q(marker(n));
const FD: [string, string] = ['Format_desc', 'Server ver: 10.11'];
const GL = (s: string): [string, string] => ['Gtid_list', s];
const row = (id: number, tableId = 30, xid = 9): [string, string][] => [
  ['Gtid', `BEGIN GTID 0-1-${id}`],
  ['Table_map', `table_id: ${tableId} (test.t)`],
  ['Write_rows_v1', `table_id: ${tableId} flags: STMT_END_F`],
  ['Xid', `COMMIT /* xid=${xid} */`],
];

const auto = effectivePseudoGtid({ AutoPseudoGTID: true });
const opts = (over: Partial<MatchOptions> = {}): MatchOptions => ({
  isPseudoGtid: pseudoGtidMatcher(auto),
  monotonicHint: 'asc:',
  chunkSize: 3,
  skipContaining: [],
  deadline: Date.now() + 10_000,
  ...over,
});

describe('Pseudo-GTID patterns', () => {
  it('AutoPseudoGTID sets the reference fixed substring and monotonic hint', () => {
    expect(auto).toMatchObject({
      PseudoGTIDPattern: 'drop view if exists `_pseudo_gtid_`',
      PseudoGTIDPatternIsFixedSubstring: true,
      PseudoGTIDMonotonicHint: 'asc:',
    });
    expect(pseudoGtidMatcher(auto)(marker(1))).toBe(true);
    expect(pseudoGtidMatcher(auto)('DROP VIEW IF EXISTS `_pseudo_gtid_`.x')).toBe(false);
    expect(pseudoGtidMatcher({ PseudoGTIDPattern: '_pseudo_gtid_.*asc' })(marker(1))).toBe(true);
  });
  it('names a bad key', () => {
    expect(validatePseudoGtidConfig({ PseudoGTIDPattern: '(' })[0]).toMatch(
      /^PseudoGTIDPattern is not a valid regular expression/,
    );
    expect(validatePseudoGtidConfig({ BinlogEventsChunkSize: 0 })[0]).toMatch(
      /^BinlogEventsChunkSize must be a positive integer/,
    );
    expect(() => pseudoGtidMatcher({})).toThrow('PseudoGTIDPattern not configured; cannot use Pseudo-GTID');
  });
  it('normalises what differs between two servers’ copies of an event', () => {
    expect(normalizeInfo('table_id: 31 flags: STMT_END_F')).toBe(
      normalizeInfo('table_id: 77 flags: STMT_END_F'),
    );
    expect(normalizeInfo('COMMIT /* xid=12 */')).toBe('COMMIT');
    expect(normalizeInfo('BEGIN GTID 0-1-5 cid=99')).toBe('BEGIN GTID 0-1-5');
  });
});

describe('Pseudo-GTID matching', () => {
  const master = {
    'bin.000001': [FD, GL('[]'), P(1), ...row(1), ...row(2), ['Rotate', 'bin.000002;pos=4']],
    'bin.000002': [FD, GL('[0-1-2]'), ...row(3), P(2), ...row(4, 31, 15)],
  } satisfies Record<string, [string, string][]>;

  it('finds the last entry, newest file first', async () => {
    const other = source('m', master);
    expect(await findLastPseudoGtid(other, opts())).toMatchObject({ file: 'bin.000002', pos: 4 + 6 * 100 });
  });

  it('a replica behind continues right after what it executed, across a rotation, paging 3 events at a time', async () => {
    const pages: string[] = [];
    // The replica rotated elsewhere, has other table ids and xids, and stopped after row 2.
    const replica = source('r', {
      'r-bin.000007': [FD, GL('[]'), ...row(0, 5, 1)],
      'r-bin.000008': [FD, GL('[0-1-0]'), P(1), ...row(1, 44, 3), ...row(2, 44, 4)],
    });
    const found = await correlate(replica, source('m', master, pages), opts());
    // After row 2 the master has its Rotate; continuing at the Rotate's position is right.
    expect(found.coordinates).toEqual({ LogFile: 'bin.000001', LogPos: 4 + 11 * 100 });
    expect(found.matched).toBe(9);
    expect(found.entry).toMatchObject({ file: 'r-bin.000008', info: marker(1) });
    expect(pages.length).toBeGreaterThan(2);
  });

  it('a replica that executed everything continues at the end', async () => {
    const replica = source('r', { 'r-bin.000001': [FD, P(2), ...row(4, 2, 2)] });
    expect((await correlate(replica, source('m', master), opts())).coordinates).toEqual({
      LogFile: 'bin.000002',
      LogPos: 4 + 11 * 100,
    });
  });

  it('refuses a replica ahead, a replica with other events, and one without any entry', async () => {
    const ahead = source('r', { 'r-bin.000001': [P(2), ...row(4), ...row(5)] });
    await expect(correlate(ahead, source('m', master), opts())).rejects.toThrow(/was more advanced/);
    const diverged = source('r', {
      'r-bin.000001': [P(1), ...row(1), q('use `test`; CREATE TABLE x (id INT)')],
    });
    await expect(correlate(diverged, source('m', master), opts())).rejects.toThrow(
      /^Mismatching entries, aborting/,
    );
    const none = source('r', { 'r-bin.000001': row(1) });
    await expect(correlate(none, source('m', master), opts())).rejects.toThrow(
      'Cannot find pseudo GTID entry in binlogs of r',
    );
    const unknown = source('r', { 'r-bin.000001': [P(9)] });
    await expect(correlate(unknown, source('m', master), opts())).rejects.toThrow(
      /^Cannot match pseudo GTID entry in binlogs of m/,
    );
  });

  it('with the monotonic hint, a file whose first entry is newer is skipped after it', async () => {
    const reads: string[] = [];
    const other = source(
      'm',
      {
        'bin.000001': [P(1), ...row(1)],
        'bin.000002': [P(3), ...row(2), ...row(3), ...row(4)],
      },
      reads,
    );
    expect(await searchEntry(other, marker(1), opts({ chunkSize: 2 }))).toEqual({
      LogFile: 'bin.000001',
      LogPos: 4,
    });
    // bin.000002 was read for one page only.
    expect(reads.filter((r) => r.startsWith('bin.000002'))).toEqual(['bin.000002@0']);
  });

  it('stops at its deadline', async () => {
    await expect(
      correlate(source('r', { f: [P(1)] }), source('m', master), opts({ deadline: Date.now() - 1 })),
    ).rejects.toThrow(/^Pseudo-GTID search timed out/);
  });
});
