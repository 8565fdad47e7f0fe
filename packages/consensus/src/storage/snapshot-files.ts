// SnapshotStore on the file system: `<dataDir>/snapshots/<term>-<index>-<ms>/` holding
//   meta.json  the SnapshotMeta (index, term, membership)
//   state.bin  the application's serialized state
//   checksum   "sha256 <hex of meta.json> <hex of state.bin>"
// A snapshot is written into a temporary directory, every file fsynced, then renamed into place and
// the parent directory fsynced, so a crash leaves either the whole snapshot or none of it. The last
// `retain` snapshots are kept. A snapshot failing its checksum is reported and skipped, never returned.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { SnapshotStore } from '../storage.js';
import type { ConfState, Snapshot, SnapshotMeta } from '../types.js';

/** A snapshot directory that is incomplete or fails its checksum. */
export class CorruptSnapshotError extends Error {
  readonly code = 'CORRUPT_SNAPSHOT';
  constructor(
    /** The snapshot directory. */
    readonly path: string,
    readonly detail: string,
  ) {
    super(`corrupt snapshot ${path}: ${detail}`);
    this.name = 'CorruptSnapshotError';
  }
}

export interface SnapshotFileStoreOptions {
  /** Snapshots kept (newest first); older ones are deleted after a save. Default 3. */
  readonly retain?: number;
  /** Told about every corrupt snapshot skipped. Default: a process warning. */
  readonly onCorrupt?: (err: CorruptSnapshotError) => void;
  /** Wall clock for directory names (ms); injectable for tests. */
  readonly now?: () => number;
}

const NAME = /^(\d+)-(\d+)-(\d+)$/;

interface Slot {
  readonly name: string;
  readonly term: number;
  readonly index: number;
  readonly ms: number;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await fs.open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(path: string): Promise<void> {
  const fh = await fs.open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class SnapshotFileStore implements SnapshotStore {
  readonly dir: string;
  private readonly retain: number;
  private readonly onCorrupt: (err: CorruptSnapshotError) => void;
  private readonly now: () => number;
  private lastMs = 0;

  constructor(dataDir: string, options: SnapshotFileStoreOptions = {}) {
    this.dir = join(dataDir, 'snapshots');
    this.retain = Math.max(1, options.retain ?? 3);
    this.onCorrupt = options.onCorrupt ?? ((err) => process.emitWarning(err.message, 'CorruptSnapshot'));
    this.now = options.now ?? Date.now;
  }

  async save(snapshot: Snapshot): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    // Names must be unique even for two saves in the same millisecond.
    const ms = Math.max(this.now(), this.lastMs + 1);
    this.lastMs = ms;
    const { meta } = snapshot;
    const name = `${meta.term}-${meta.index}-${ms}`;
    const tmp = join(this.dir, `.tmp-${name}-${process.pid}`);
    await fs.rm(tmp, { recursive: true, force: true });
    await fs.mkdir(tmp);
    const metaJson = JSON.stringify({ index: meta.index, term: meta.term, conf: storedConf(meta.conf) });
    const metaBytes = Buffer.from(metaJson);
    await writeSynced(join(tmp, 'meta.json'), metaBytes);
    await writeSynced(join(tmp, 'state.bin'), snapshot.data);
    await writeSynced(join(tmp, 'checksum'), `sha256 ${sha256(metaBytes)} ${sha256(snapshot.data)}\n`);
    await syncDir(tmp);
    await fs.rename(tmp, join(this.dir, name));
    await syncDir(this.dir);
    await this.prune();
  }

  async latest(): Promise<Snapshot | undefined> {
    for (const slot of await this.slots()) {
      try {
        return await this.read(slot);
      } catch (err) {
        if (!(err instanceof CorruptSnapshotError)) throw err;
        this.onCorrupt(err);
      }
    }
    return undefined;
  }

  async list(): Promise<SnapshotMeta[]> {
    const out: SnapshotMeta[] = [];
    for (const slot of await this.slots()) {
      try {
        out.push(await this.readMeta(join(this.dir, slot.name)));
      } catch (err) {
        if (!(err instanceof CorruptSnapshotError)) throw err;
        this.onCorrupt(err);
      }
    }
    return out;
  }

  /** Snapshot directories, newest (highest index, then term, then time) first. */
  private async slots(): Promise<Slot[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const slots: Slot[] = [];
    for (const name of names) {
      const m = NAME.exec(name);
      if (m) slots.push({ name, term: Number(m[1]), index: Number(m[2]), ms: Number(m[3]) });
    }
    return slots.sort((a, b) => b.index - a.index || b.term - a.term || b.ms - a.ms);
  }

  private async readMeta(path: string, raw?: Buffer): Promise<SnapshotMeta> {
    const bytes = raw ?? (await readOrCorrupt(path, 'meta.json'));
    let meta: SnapshotMeta;
    try {
      meta = JSON.parse(bytes.toString('utf8')) as SnapshotMeta;
    } catch {
      throw new CorruptSnapshotError(path, 'meta.json is not valid JSON');
    }
    if (
      !Number.isInteger(meta.index) ||
      !Number.isInteger(meta.term) ||
      !Array.isArray(meta.conf?.voters) ||
      !meta.conf.voters.every((v) => typeof v === 'string') ||
      (meta.conf.learners !== undefined &&
        (!Array.isArray(meta.conf.learners) || !meta.conf.learners.every((v) => typeof v === 'string'))) ||
      (meta.conf.incarnations !== undefined &&
        (typeof meta.conf.incarnations !== 'object' ||
          meta.conf.incarnations === null ||
          !Object.values(meta.conf.incarnations).every((v) => typeof v === 'string')))
    ) {
      throw new CorruptSnapshotError(path, 'meta.json lacks index, term or conf.voters (or has a bad conf)');
    }
    return meta;
  }

  private async read(slot: Slot): Promise<Snapshot> {
    const path = join(this.dir, slot.name);
    const [metaBytes, data, sum] = await Promise.all([
      readOrCorrupt(path, 'meta.json'),
      readOrCorrupt(path, 'state.bin'),
      readOrCorrupt(path, 'checksum'),
    ]);
    const parts = sum.toString('utf8').trim().split(' ');
    if (parts.length !== 3 || parts[0] !== 'sha256') {
      throw new CorruptSnapshotError(path, 'checksum file is malformed');
    }
    if (parts[1] !== sha256(metaBytes)) throw new CorruptSnapshotError(path, 'meta.json checksum mismatch');
    if (parts[2] !== sha256(data)) throw new CorruptSnapshotError(path, 'state.bin checksum mismatch');
    const meta = await this.readMeta(path, metaBytes);
    if (meta.index !== slot.index || meta.term !== slot.term) {
      throw new CorruptSnapshotError(path, 'meta.json does not match the directory name');
    }
    return { meta, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  }

  /** Deletes all but the newest `retain` snapshots, and temp dirs left by a crash mid-save. */
  private async prune(): Promise<void> {
    const slots = await this.slots();
    for (const slot of slots.slice(this.retain)) {
      await fs.rm(join(this.dir, slot.name), { recursive: true, force: true });
    }
    for (const name of await fs.readdir(this.dir)) {
      if (name.startsWith('.tmp-') && !name.endsWith(`-${process.pid}`)) {
        await fs.rm(join(this.dir, name), { recursive: true, force: true });
      }
    }
  }
}

async function readOrCorrupt(dir: string, file: string): Promise<Buffer> {
  try {
    return await fs.readFile(join(dir, file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CorruptSnapshotError(dir, `${file} is missing`);
    throw err;
  }
}

/** The membership as meta.json holds it: voters, and learners and incarnations when there are any. */
function storedConf(conf: ConfState): ConfState {
  const out: { voters: string[]; learners?: string[]; incarnations?: Record<string, string> } = {
    voters: [...conf.voters],
  };
  if (conf.learners !== undefined && conf.learners.length > 0) out.learners = [...conf.learners];
  if (conf.incarnations !== undefined && Object.keys(conf.incarnations).length > 0) {
    out.incarnations = { ...conf.incarnations };
  }
  return out;
}
