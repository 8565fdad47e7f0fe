import { promises as fs, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../types.js';
import { type CorruptSnapshotError, SnapshotFileStore } from './snapshot-files.js';

const conf = { voters: ['a:1', 'b:2', 'c:3'] };

function snap(index: number, term: number, fill = index): Snapshot {
  return { meta: { index, term, conf }, data: new Uint8Array(1000).fill(fill & 0xff) };
}

describe('SnapshotFileStore', () => {
  let dir: string;
  let clock = 1_000;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'raft-snap-'));
    clock = 1_000;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const store = (corrupt: CorruptSnapshotError[] = [], retain = 3) =>
    new SnapshotFileStore(dir, { retain, now: () => clock++, onCorrupt: (e) => corrupt.push(e) });

  it('is empty at first', async () => {
    const s = store();
    expect(await s.latest()).toBeUndefined();
    expect(await s.list()).toEqual([]);
  });

  it('saves atomically under <term>-<index>-<ms> and returns the newest', async () => {
    const s = store();
    await s.save(snap(10, 1));
    await s.save(snap(20, 2));
    const names = (await fs.readdir(join(dir, 'snapshots'))).sort();
    expect(names).toEqual(['1-10-1000', '2-20-1001']);
    expect((await fs.readdir(join(dir, 'snapshots', names[0] ?? ''))).sort()).toEqual([
      'checksum',
      'meta.json',
      'state.bin',
    ]);
    const latest = await store().latest();
    expect(latest?.meta).toEqual({ index: 20, term: 2, conf });
    expect(latest?.data[0]).toBe(20);
    expect(latest?.data.byteLength).toBe(1000);
  });

  it('keeps only the last N', async () => {
    const s = store([], 2);
    for (let i = 1; i <= 5; i++) await s.save(snap(i * 10, 1));
    expect((await s.list()).map((m) => m.index)).toEqual([50, 40]);
  });

  it('skips and reports a snapshot with a flipped byte, falling back to the previous one', async () => {
    const corrupt: CorruptSnapshotError[] = [];
    const s = store(corrupt);
    await s.save(snap(10, 1));
    await s.save(snap(20, 1));
    const bad = join(dir, 'snapshots', '1-20-1001', 'state.bin');
    const bytes = await fs.readFile(bad);
    bytes.writeUInt8(bytes.readUInt8(500) ^ 0x40, 500);
    await fs.writeFile(bad, bytes);
    const latest = await s.latest();
    expect(latest?.meta.index).toBe(10);
    expect(corrupt).toHaveLength(1);
    expect(corrupt[0]?.code).toBe('CORRUPT_SNAPSHOT');
    expect(corrupt[0]?.path).toBe(join(dir, 'snapshots', '1-20-1001'));
    expect(corrupt[0]?.message).toContain('state.bin checksum mismatch');
  });

  it('reports missing files and a tampered meta.json', async () => {
    const corrupt: CorruptSnapshotError[] = [];
    const s = store(corrupt);
    await s.save(snap(10, 1));
    await s.save(snap(20, 1));
    await fs.rm(join(dir, 'snapshots', '1-20-1001', 'checksum'));
    await fs.writeFile(
      join(dir, 'snapshots', '1-10-1000', 'meta.json'),
      JSON.stringify({ ...snap(10, 1).meta, index: 11 }),
    );
    expect(await s.latest()).toBeUndefined();
    expect(corrupt.map((e) => e.detail)).toEqual(['checksum is missing', 'meta.json checksum mismatch']);
  });

  it('ignores and removes temp directories left by a crash mid-save', async () => {
    await fs.mkdir(join(dir, 'snapshots', '.tmp-1-30-5-999999'), { recursive: true });
    await fs.writeFile(join(dir, 'snapshots', '.tmp-1-30-5-999999', 'state.bin'), 'partial');
    const s = store();
    expect(await s.latest()).toBeUndefined();
    await s.save(snap(10, 1));
    expect(await fs.readdir(join(dir, 'snapshots'))).toEqual(['1-10-1000']);
  });
});
