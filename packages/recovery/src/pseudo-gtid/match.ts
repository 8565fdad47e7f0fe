// Pseudo-GTID matching (reference go/inst/instance_binlog_dao.go, instance_topology.go
// CorrelateBinlogCoordinates): where, in another server's binlog, a replica should continue so it
// gets exactly what it has not executed. The replica's last Pseudo-GTID entry is found in its own
// binlog, the same entry in the other server's binlog, and from there both binlogs are walked event
// by event: every event the replica has must be the other's next event; when the replica's binlog
// ends, the other's next position is the answer. Binlogs are read in pages
// (SHOW BINLOG EVENTS … LIMIT), each page awaited and followed by a yield to the event loop, and
// every search is bounded by a deadline.
import { type BinlogPosition, compareBinlogPositions, formatBinlogPosition } from '../coordinates.js';
import { type BinlogEvent, eventAt, isRealEvent, normalizeInfo } from './events.js';

/** Where binlog events come from (a server's binary logs, read with SHOW BINLOG EVENTS). */
export interface BinlogSource {
  /** The server, for messages (`host:port`). */
  readonly name: string;
  /** Its binary log files, oldest first (SHOW BINARY LOGS). */
  files(): Promise<string[]>;
  /** Up to `limit` events of `file` from the event starting at `from` (0: the first). */
  events(file: string, from: number, limit: number): Promise<BinlogEvent[]>;
}

export interface MatchOptions {
  /** Recognises a Pseudo-GTID entry by its Info. */
  isPseudoGtid: (info: string) => boolean;
  /** PseudoGTIDMonotonicHint ('' = entries are not known to increase). */
  monotonicHint: string;
  /** Events per page (BinlogEventsChunkSize). */
  chunkSize: number;
  /** SkipBinlogEventsContaining. */
  skipContaining: readonly string[];
  /** Epoch ms after which a search gives up (PseudoGtidError). */
  deadline: number;
  now?: () => number;
}

/** Thrown when Pseudo-GTID cannot place a replica; the message says why (the reference's wording). */
export class PseudoGtidError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PseudoGtidError';
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function checkDeadline(opts: MatchOptions, what: string): void {
  if ((opts.now ?? Date.now)() > opts.deadline)
    throw new PseudoGtidError(`Pseudo-GTID search timed out: ${what}`);
}

/** Reads one binlog file page by page, in order. */
async function* fileEvents(
  source: BinlogSource,
  file: string,
  from: number,
  opts: MatchOptions,
): AsyncGenerator<BinlogEvent> {
  let pos = from;
  for (;;) {
    checkDeadline(opts, `reading ${file} of ${source.name}`);
    const page = await source.events(file, pos, opts.chunkSize);
    for (const e of page) yield e;
    if (page.length < opts.chunkSize) return;
    const last = page[page.length - 1] as BinlogEvent;
    if (last.end <= pos) return; // a server reporting no progress: stop rather than loop
    pos = last.end;
    await yieldToEventLoop();
  }
}

export interface PseudoGtidEntry {
  file: string;
  pos: number;
  /** The entry's Info (its statement). */
  info: string;
}

/**
 * The last Pseudo-GTID entry in `source`'s binlogs at or before `upTo` (default: their end),
 * searching the newest file first.
 */
export async function findLastPseudoGtid(
  source: BinlogSource,
  opts: MatchOptions,
  upTo?: BinlogPosition,
): Promise<PseudoGtidEntry | null> {
  const files = await source.files();
  const newest = upTo ? files.indexOf(upTo.LogFile) : files.length - 1;
  for (let i = newest; i >= 0; i--) {
    const file = files[i] as string;
    let found: PseudoGtidEntry | null = null;
    for await (const e of fileEvents(source, file, 0, opts)) {
      if (upTo && compareBinlogPositions({ LogFile: file, LogPos: e.pos }, upTo) > 0) break;
      if (opts.isPseudoGtid(e.info)) found = { file, pos: e.pos, info: e.info };
    }
    if (found) return found;
  }
  return null;
}

/**
 * Where `entry` (an exact Info) is in `source`'s binlogs, newest file first. With a monotonic hint,
 * a file whose first Pseudo-GTID entry sorts after `entry` is skipped after that entry.
 */
export async function searchEntry(
  source: BinlogSource,
  entry: string,
  opts: MatchOptions,
): Promise<BinlogPosition | null> {
  const files = await source.files();
  const monotonic = opts.monotonicHint !== '' && entry.includes(opts.monotonicHint);
  for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i] as string;
    let checkedAscending = false;
    for await (const e of fileEvents(source, file, 0, opts)) {
      if (e.info === entry) return { LogFile: file, LogPos: e.pos };
      if (monotonic && !checkedAscending && opts.isPseudoGtid(e.info)) {
        checkedAscending = true;
        if (e.info > entry) break; // entries ascend: this file starts after the one searched for
      }
    }
  }
  return null;
}

/** Walks one server's binlogs forward from a position across files, yielding the real events. */
export class EventCursor {
  private files: string[] | null = null;
  private current: AsyncGenerator<BinlogEvent> | null = null;
  private fileIndex = -1;
  private after: BinlogPosition;

  constructor(
    private readonly source: BinlogSource,
    private readonly start: BinlogPosition,
    private readonly opts: MatchOptions,
  ) {
    this.after = { ...start };
  }

  /** The position right after the last event this cursor consumed (the start before any). */
  get nextCoordinates(): BinlogPosition {
    return this.after;
  }

  /** The next real event, or null at the end of the binlogs. */
  async next(): Promise<BinlogEvent | null> {
    if (!this.files) {
      this.files = await this.source.files();
      this.fileIndex = this.files.indexOf(this.start.LogFile);
      if (this.fileIndex < 0)
        throw new PseudoGtidError(`${this.source.name} has no binary log ${this.start.LogFile}`);
      this.current = fileEvents(this.source, this.start.LogFile, this.start.LogPos, this.opts);
    }
    for (;;) {
      const step = await (this.current as AsyncGenerator<BinlogEvent>).next();
      if (step.done) {
        this.fileIndex++;
        if (this.fileIndex >= this.files.length) return null;
        this.current = fileEvents(this.source, this.files[this.fileIndex] as string, 0, this.opts);
        continue;
      }
      const e = step.value;
      this.after = { LogFile: e.file, LogPos: e.end };
      if (isRealEvent(e, this.opts.skipContaining)) return e;
    }
  }
}

export interface Correlation {
  /** Where the replica continues in the other server's binlog. */
  coordinates: BinlogPosition;
  /** Events compared from the shared entry on (≥ 1: the entry itself). */
  matched: number;
  /** The shared Pseudo-GTID entry. */
  entry: PseudoGtidEntry;
}

/**
 * The heart of match-below (reference GetNextBinlogCoordinatesToMatch): from the twin entries,
 * every event of `instance` must be the next event of `other`; when `instance` runs out, `other`'s
 * next position is where it continues. `other` running out first means `instance` is ahead.
 */
export async function nextCoordinatesToMatch(
  instance: EventCursor,
  instanceName: string,
  other: EventCursor,
  otherName: string,
): Promise<{ coordinates: BinlogPosition; matched: number }> {
  let matched = 0;
  for (;;) {
    const mine = await instance.next();
    if (!mine) return { coordinates: other.nextCoordinates, matched };
    const theirs = await other.next();
    if (!theirs)
      throw new PseudoGtidError(
        `Unexpected end of binary logs for assumed master (${otherName}). This means the instance which attempted to be a replica (${instanceName}) was more advanced. Try the other way round`,
      );
    const a = normalizeInfo(mine.info);
    const b = normalizeInfo(theirs.info);
    if (a !== b)
      throw new PseudoGtidError(
        `Mismatching entries, aborting: ${instanceName} ${eventAt(mine)} ${a.slice(0, 200)} <-> ${otherName} ${eventAt(theirs)} ${b.slice(0, 200)}`,
      );
    matched++;
  }
}

/**
 * Where `instance` (stopped: its binlog ends with what it executed) continues replicating in
 * `other`'s binlog (reference CorrelateBinlogCoordinates).
 */
export async function correlate(
  instance: BinlogSource,
  other: BinlogSource,
  opts: MatchOptions,
): Promise<Correlation> {
  const entry = await findLastPseudoGtid(instance, opts);
  if (!entry) throw new PseudoGtidError(`Cannot find pseudo GTID entry in binlogs of ${instance.name}`);
  const twin = await searchEntry(other, entry.info, opts);
  if (!twin)
    throw new PseudoGtidError(
      `Cannot match pseudo GTID entry in binlogs of ${other.name} (${instance.name} has ${entry.info.slice(0, 200)} at ${entry.file}:${entry.pos})`,
    );
  const { coordinates, matched } = await nextCoordinatesToMatch(
    new EventCursor(instance, { LogFile: entry.file, LogPos: entry.pos }, opts),
    instance.name,
    new EventCursor(other, twin, opts),
    other.name,
  );
  if (matched === 0)
    throw new PseudoGtidError(
      `Unexpected: 0 events processed while iterating logs. Something went wrong; aborting. nextBinlogCoordinatesToMatch: ${formatBinlogPosition(coordinates)}`,
    );
  return { coordinates, matched, entry };
}
