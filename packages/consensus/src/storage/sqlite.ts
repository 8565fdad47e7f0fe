// Durable LogStore and StableStore in one SQLite file (`<dataDir>/raft.db`).
//
// Durability: WAL journal with synchronous=FULL, so every committed transaction is fsynced before
// better-sqlite3 returns; one transaction per append batch means a Ready cycle costs one fsync
// however many entries it carries (group commit).
//
// Integrity: every entry row carries a CRC-32 over (index, term, kind, data), every metadata row a
// CRC-32 over (key, value). Rows are verified when read, and the whole log once when the file is
// opened, so a torn or flipped entry is reported as CorruptLogError (naming the file and index) and
// never handed to the core. SQLite itself has no page checksums, which is why we add our own.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import Database from 'better-sqlite3';
import type { LogStore, StableStore } from '../storage.js';
import type { Entry, EntryKind, HardState, SnapshotMeta } from '../types.js';
import { CorruptLogError, CorruptStateError, LogContiguityError } from './sqlite-errors.js';

type Db = Database.Database;

const KIND_CODE: Record<EntryKind, number> = { normal: 0, conf: 1, noop: 2 };
const KIND_NAME: readonly EntryKind[] = ['normal', 'conf', 'noop'];

/** CRC-32 of an entry: a 17-byte header (index, term as 64-bit, kind) followed by the data. */
export function entryChecksum(index: number, term: number, kind: number, data: Uint8Array): number {
  const header = Buffer.allocUnsafe(17);
  header.writeBigUInt64BE(BigInt(index), 0);
  header.writeBigUInt64BE(BigInt(term), 8);
  header.writeUInt8(kind, 16);
  return crc32(data, crc32(header));
}

function metaChecksum(key: string, value: string): number {
  return crc32(value, crc32(`${key}\u0000`));
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export interface SqliteOptions {
  /** Verify every entry's checksum when the file is opened (default true). */
  readonly verifyOnOpen?: boolean;
  /**
   * Entries kept in memory at the tail of the log so the leader's reads skip SQLite (default 1024,
   * up to twice that between trims). Enough for followers a few round trips behind; one further
   * behind is served from SQLite. 8192 held up to 16k entries, ~30 MiB of heap and buffers per node.
   */
  readonly tailCacheEntries?: number;
}

/** Opens (creating if needed) `<dataDir>/raft.db` with the pragmas durability needs. */
export function openRaftDatabase(dataDir: string): { db: Db; file: string } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'raft.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS raft_log (
      idx  INTEGER PRIMARY KEY,
      term INTEGER NOT NULL,
      kind INTEGER NOT NULL,
      data BLOB    NOT NULL,
      crc  INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS raft_log_conf ON raft_log (idx) WHERE kind = 1;
    CREATE TABLE IF NOT EXISTS raft_meta (
      key   TEXT PRIMARY KEY,
      value TEXT    NOT NULL,
      crc   INTEGER NOT NULL
    );
  `);
  return { db, file };
}

/** Checksummed key/value rows shared by both stores. */
class MetaTable {
  private readonly getStmt;
  private readonly putStmt;
  constructor(
    private readonly db: Db,
    readonly file: string,
  ) {
    this.getStmt = db.prepare<[string], { value: string; crc: number }>(
      'SELECT value, crc FROM raft_meta WHERE key = ?',
    );
    this.putStmt = db.prepare<[string, string, number]>(
      'INSERT INTO raft_meta (key, value, crc) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, crc = excluded.crc',
    );
  }
  get(key: string): string | undefined {
    const row = this.getStmt.get(key);
    if (row === undefined) return undefined;
    if (metaChecksum(key, row.value) !== row.crc) {
      throw new CorruptStateError(this.file, key, 'checksum mismatch');
    }
    return row.value;
  }
  put(key: string, value: string): void {
    this.putStmt.run(key, value, metaChecksum(key, value));
  }
  getJson<T>(key: string): T | undefined {
    const raw = this.get(key);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch (err) {
      throw new CorruptStateError(this.file, key, `undecodable value (${(err as Error).message})`);
    }
  }
  get database(): Db {
    return this.db;
  }
}

const COMPACTED_KEY = 'log.compacted';
const HARD_STATE_KEY = 'hardState';
const KV_PREFIX = 'kv.';

type Row = { idx: number; term: number; kind: number; data: Buffer; crc: number };

/** The raft log in SQLite. Not safe for use by two processes at once (raft gives each node its own dir). */
export class SqliteLogStore implements LogStore {
  private readonly meta: MetaTable;
  private readonly insertStmt;
  private readonly deleteFromStmt;
  private readonly deleteUpToStmt;
  private readonly deleteAllStmt;
  private readonly rangeStmt;
  private readonly termStmt;
  private readonly appendTx;
  private compacted: SnapshotMeta;
  private last: number;
  /** Verified entries [tailStart, last]; always a contiguous suffix of the log. */
  private tail: Entry[] = [];
  private tailStart = 1;
  private readonly tailCap: number;

  constructor(
    private readonly db: Db,
    readonly file: string,
    options: SqliteOptions = {},
  ) {
    this.meta = new MetaTable(db, file);
    this.tailCap = options.tailCacheEntries ?? 1024;
    this.insertStmt = db.prepare('INSERT INTO raft_log (idx, term, kind, data, crc) VALUES (?, ?, ?, ?, ?)');
    this.deleteFromStmt = db.prepare('DELETE FROM raft_log WHERE idx >= ?');
    this.deleteUpToStmt = db.prepare('DELETE FROM raft_log WHERE idx <= ?');
    this.deleteAllStmt = db.prepare('DELETE FROM raft_log');
    this.rangeStmt = db.prepare<[number, number], Row>(
      'SELECT idx, term, kind, data, crc FROM raft_log WHERE idx >= ? AND idx < ? ORDER BY idx',
    );
    this.termStmt = db.prepare<[number], Row>(
      'SELECT idx, term, kind, data, crc FROM raft_log WHERE idx = ?',
    );
    this.appendTx = db.transaction((entries: readonly Entry[], truncateFrom: number | undefined) => {
      if (truncateFrom !== undefined) this.deleteFromStmt.run(truncateFrom);
      for (const e of entries) {
        const kind = KIND_CODE[e.kind];
        this.insertStmt.run(
          e.index,
          e.term,
          kind,
          asBuffer(e.data),
          entryChecksum(e.index, e.term, kind, e.data),
        );
      }
    });
    this.compacted = this.meta.getJson<SnapshotMeta>(COMPACTED_KEY) ?? {
      index: 0,
      term: 0,
      conf: { voters: [] },
    };
    const maxRow = db.prepare<[], { m: number | null }>('SELECT MAX(idx) AS m FROM raft_log').get();
    this.last = Math.max(maxRow?.m ?? 0, this.compacted.index);
    this.tailStart = this.last + 1;
    if (options.verifyOnOpen ?? true) this.verify();
  }

  /** Reads every entry and checks its checksum and contiguity; throws CorruptLogError on the first bad one. */
  verify(): void {
    let expected = this.compacted.index + 1;
    for (const row of this.db
      .prepare<[number], Row>('SELECT idx, term, kind, data, crc FROM raft_log WHERE idx > ? ORDER BY idx')
      .iterate(this.compacted.index)) {
      if (row.idx !== expected)
        throw new CorruptLogError(this.file, expected, 'entry missing (gap in the log)');
      this.decode(row);
      expected++;
    }
  }

  /** The conf entries after the compaction point, through the partial index raft_log_conf. */
  confEntries(): Entry[] {
    return this.db
      .prepare<[number], Row>(
        'SELECT idx, term, kind, data, crc FROM raft_log WHERE kind = 1 AND idx > ? ORDER BY idx',
      )
      .all(this.compacted.index)
      .map((row) => this.decode(row));
  }

  private decode(row: Row): Entry {
    const kind = KIND_NAME[row.kind];
    if (kind === undefined) throw new CorruptLogError(this.file, row.idx, `unknown entry kind ${row.kind}`);
    if (!Buffer.isBuffer(row.data)) throw new CorruptLogError(this.file, row.idx, 'entry data is not a blob');
    if (entryChecksum(row.idx, row.term, row.kind, row.data) !== row.crc) {
      throw new CorruptLogError(this.file, row.idx, 'checksum mismatch');
    }
    return { index: row.idx, term: row.term, kind, data: row.data };
  }

  firstIndex(): number {
    return this.compacted.index + 1;
  }

  lastIndex(): number {
    return this.last;
  }

  compactedMeta(): SnapshotMeta {
    return this.compacted;
  }

  term(index: number): number | undefined {
    if (index === this.compacted.index) return this.compacted.term;
    if (index < this.firstIndex() || index > this.last) return undefined;
    if (index >= this.tailStart) return this.tail[index - this.tailStart]?.term;
    const row = this.termStmt.get(index);
    if (row === undefined) throw new CorruptLogError(this.file, index, 'entry missing (gap in the log)');
    return this.decode(row).term;
  }

  entries(lo: number, hi: number, maxBytes = Number.POSITIVE_INFINITY): Entry[] {
    if (lo < this.firstIndex()) {
      throw new LogContiguityError(
        `entries(${lo}, ${hi}): index ${lo} is compacted (first is ${this.firstIndex()})`,
      );
    }
    if (hi > this.last + 1) {
      throw new LogContiguityError(`entries(${lo}, ${hi}): past the last index ${this.last}`);
    }
    const out: Entry[] = [];
    let bytes = 0;
    const take = (e: Entry): boolean => {
      bytes += e.data.byteLength;
      if (out.length > 0 && bytes > maxBytes) return false;
      out.push(e);
      return true;
    };
    let next = lo;
    if (next < this.tailStart) {
      const stop = Math.min(hi, this.tailStart);
      for (const row of this.rangeStmt.iterate(next, stop)) {
        if (row.idx !== next) throw new CorruptLogError(this.file, next, 'entry missing (gap in the log)');
        if (!take(this.decode(row))) return out;
        next++;
      }
      if (next !== stop) throw new CorruptLogError(this.file, next, 'entry missing (gap in the log)');
    }
    while (next < hi) {
      const e = this.tail[next - this.tailStart];
      if (e === undefined || !take(e)) return out;
      next++;
    }
    return out;
  }

  /** Entries held in memory (the tail cache): at most twice `tailCacheEntries`. */
  get cachedEntries(): number {
    return this.tail.length;
  }

  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index < this.firstIndex()) {
      throw new LogContiguityError(`append at ${first.index}: before the first index ${this.firstIndex()}`);
    }
    if (first.index > this.last + 1) {
      throw new LogContiguityError(
        `append at ${first.index}: leaves a gap after the last index ${this.last}`,
      );
    }
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]?.index !== first.index + i)
        throw new LogContiguityError('append: entries are not contiguous');
    }
    this.appendTx(entries, first.index <= this.last ? first.index : undefined);
    this.last = first.index + entries.length - 1;
    // Keep the tail cache a contiguous suffix ending at `last`.
    if (first.index >= this.tailStart && first.index <= this.tailStart + this.tail.length) {
      this.tail.length = first.index - this.tailStart;
      for (const e of entries) this.tail.push(ownData(e));
    } else {
      this.tail = entries.map(ownData);
      this.tailStart = first.index;
    }
    if (this.tail.length > 2 * this.tailCap) {
      const drop = this.tail.length - this.tailCap;
      this.tail.splice(0, drop);
      this.tailStart += drop;
    }
  }

  compact(meta: SnapshotMeta): void {
    if (meta.index <= this.compacted.index) return;
    this.db.transaction(() => {
      this.deleteUpToStmt.run(meta.index);
      this.meta.put(COMPACTED_KEY, JSON.stringify(meta));
    })();
    this.compacted = meta;
    if (meta.index > this.last) {
      this.last = meta.index;
      this.tail = [];
      this.tailStart = meta.index + 1;
    } else if (meta.index >= this.tailStart) {
      this.tail.splice(0, meta.index + 1 - this.tailStart);
      this.tailStart = meta.index + 1;
    }
  }

  resetTo(meta: SnapshotMeta): void {
    this.db.transaction(() => {
      this.deleteAllStmt.run();
      this.meta.put(COMPACTED_KEY, JSON.stringify(meta));
    })();
    this.compacted = meta;
    this.last = meta.index;
    this.tail = [];
    this.tailStart = meta.index + 1;
  }
}

/** Term, vote, commit and small named values, in the same file as the log. */
export class SqliteStableStore implements StableStore {
  private readonly meta: MetaTable;
  private cached: HardState;

  constructor(db: Db, file: string) {
    this.meta = new MetaTable(db, file);
    this.cached = this.meta.getJson<HardState>(HARD_STATE_KEY) ?? { term: 0, vote: '', commit: 0 };
  }

  hardState(): HardState {
    return this.cached;
  }

  setHardState(state: HardState): void {
    const { term, vote, commit, recovering } = state;
    this.meta.put(
      HARD_STATE_KEY,
      JSON.stringify(recovering === undefined ? { term, vote, commit } : { term, vote, commit, recovering }),
    );
    this.cached = state;
  }

  get(key: string): string | undefined {
    return this.meta.get(KV_PREFIX + key);
  }

  set(key: string, value: string): void {
    this.meta.put(KV_PREFIX + key, value);
  }
}

/** Both durable stores over one `<dataDir>/raft.db`. */
export interface SqliteStores {
  readonly log: SqliteLogStore;
  readonly stable: SqliteStableStore;
  readonly file: string;
  /** Runs `fn` in one transaction (one fsync), e.g. entries plus hard state of one Ready. */
  transaction(fn: () => void): void;
  /**
   * Runs `fn` in one transaction that is not fsynced on its own: it becomes durable with the next
   * synced commit. Only for writes whose loss is harmless (a commit index that advanced alone).
   */
  unsyncedTransaction(fn: () => void): void;
  close(): void;
}

/** Opens the log and stable store of a node's data dir. Throws CorruptLogError if the log is damaged. */
export function openSqliteStores(dataDir: string, options: SqliteOptions = {}): SqliteStores {
  const { db, file } = openRaftDatabase(dataDir);
  try {
    const log = new SqliteLogStore(db, file, options);
    const stable = new SqliteStableStore(db, file);
    return {
      log,
      stable,
      file,
      transaction: (fn) => db.transaction(fn)(),
      unsyncedTransaction: (fn) => {
        db.pragma('synchronous = NORMAL');
        try {
          db.transaction(fn)();
        } finally {
          db.pragma('synchronous = FULL');
        }
      },
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * The entry with data of its own: a follower's entries are views into the network frame they came
 * in, and one cached entry would otherwise keep the whole frame alive.
 */
function ownData(e: Entry): Entry {
  const data = e.data;
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return e;
  return { ...e, data: new Uint8Array(data) }; // a copy (Buffer#slice would be another view)
}
