// Clock jumps (issue 21): with the daemon's SteadyClock injected, a step of the system clock forward
// or back changes no downtime expiry and no anti-flapping decision; with the wall clock it would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCommand } from '@orchestrator/model';
import {
  type AnalysisEntry,
  blockingRecovery,
  type RecoveryConfig,
  type RecoveryRecord,
  resolveRecoveryConfig,
} from '@orchestrator/recovery';
import { openStore, type Store } from '@orchestrator/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SteadyClock } from './clock.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A system clock and a monotonic clock the test moves by hand. */
function fakeTime() {
  const t = { wall: Date.parse('2026-03-01T12:00:00.000Z'), mono: 5_000 };
  const jumps: [number, number][] = [];
  const clock = new SteadyClock({
    wall: () => t.wall,
    mono: () => t.mono,
    onJump: (jump, offset) => jumps.push([jump, offset]),
  });
  return {
    clock,
    jumps,
    wall: () => t.wall,
    /** Time passes: both clocks advance. */
    pass(ms: number) {
      t.wall += ms;
      t.mono += ms;
      clock.check();
    },
    /** The system clock is stepped; no time passes. */
    jump(ms: number) {
      t.wall += ms;
      clock.check();
    },
  };
}

describe('SteadyClock', () => {
  it('follows monotonic time from the system clock at start, and reports each jump once', () => {
    const time = fakeTime();
    const start = time.clock.now();
    expect(start).toBe(time.wall());
    time.pass(10 * MINUTE);
    expect(time.clock.now()).toBe(start + 10 * MINUTE);
    time.jump(2 * HOUR);
    expect(time.clock.now()).toBe(start + 10 * MINUTE);
    expect(time.clock.offsetMs()).toBe(2 * HOUR);
    time.pass(MINUTE);
    time.jump(-5 * HOUR);
    expect(time.clock.now()).toBe(start + 11 * MINUTE);
    expect(time.clock.offsetMs()).toBe(-3 * HOUR);
    expect(time.jumps).toEqual([
      [2 * HOUR, 2 * HOUR],
      [-5 * HOUR, -3 * HOUR],
    ]);
  });

  it('ignores drift below the threshold between two checks (NTP slewing)', () => {
    const time = fakeTime();
    for (let i = 0; i < 100; i++) {
      time.pass(1000);
      time.jump(50);
    }
    expect(time.jumps).toEqual([]);
    expect(time.clock.offsetMs()).toBe(5000);
  });
});

describe('decisions across a system clock jump', () => {
  let dir: string;
  let steady: Store;
  let wallStore: Store;
  let time: ReturnType<typeof fakeTime>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clock-jump-'));
    time = fakeTime();
    const config = { BackendDB: 'sqlite', SQLite3DataFile: join(dir, 'orchestrator.sqlite3') };
    steady = await openStore(config, { clock: time.clock.now });
    // The same backend read with the system clock, as the daemon did before.
    wallStore = await openStore(config, { clock: time.wall });
  });

  afterEach(async () => {
    await steady.close();
    await wallStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a 1 h downtime lasts 1 h of elapsed time, whatever the system clock does', async () => {
    const begins = time.clock.now();
    const key = { Hostname: 'db1', Port: 3306 };
    // What the begin-downtime route proposes, stamped like RaftService stamps every command.
    const entry = encodeCommand(
      'begin-downtime',
      {
        Key: key,
        Owner: 'ops',
        Reason: 'upgrade',
        Duration: HOUR * 1e6,
        BeginsAt: new Date(begins).toISOString(),
        EndsAt: new Date(begins + HOUR).toISOString(),
      },
      time.clock.now(),
    );
    expect((await steady.applyEntry(entry, { index: 1 })).ok).toBe(true);
    const active = async (store: Store) => (await store.downtime.active()).map((d) => d.Key.Hostname);

    time.pass(10 * MINUTE);
    time.jump(2 * HOUR);
    expect(await active(steady)).toEqual(['db1']);
    expect(await active(wallStore)).toEqual([]); // the wall clock would end it 50 min early
    time.jump(-4 * HOUR);
    expect(await active(steady)).toEqual(['db1']);
    time.pass(49 * MINUTE);
    expect(await active(steady)).toEqual(['db1']);
    time.pass(2 * MINUTE);
    expect(await active(steady)).toEqual([]);
    expect(await active(wallStore)).toEqual(['db1']); // and keep it 2 h too long after the step back
  });

  it('anti-flapping blocks a new recovery for RecoveryPeriodBlockSeconds of elapsed time', () => {
    const config: RecoveryConfig = resolveRecoveryConfig({ RecoveryPeriodBlockSeconds: 3600 });
    const started = time.clock.now();
    const recovery = {
      Id: 1,
      UID: 'r1',
      AnalysisEntry: {
        AnalyzedInstanceKey: { Hostname: 'db1', Port: 3306 },
        ClusterDetails: { ClusterName: 'db1:3306' },
      },
      SuccessorKey: { Hostname: 'db2', Port: 3306 },
      IsActive: true,
      IsSuccessful: true,
      Acknowledged: false,
      RecoveryStartTimestamp: new Date(started).toISOString(),
      RecoveryEndTimestamp: new Date(started + 5000).toISOString(),
      ProcessingNodeHostname: 'n1',
      ProcessingNodeToken: 't',
    } as unknown as RecoveryRecord;
    const next = {
      AnalyzedInstanceKey: { Hostname: 'db2', Port: 3306 },
      ClusterDetails: { ClusterName: 'db1:3306' },
    } as unknown as AnalysisEntry;
    const blocked = (now: number) => blockingRecovery([recovery], next, config, now) !== undefined;

    time.pass(20 * MINUTE);
    time.jump(HOUR);
    expect(blocked(time.clock.now())).toBe(true);
    expect(blocked(time.wall())).toBe(false); // the wall clock would allow a flapping recovery
    time.jump(-3 * HOUR);
    expect(blocked(time.clock.now())).toBe(true);
    time.pass(39 * MINUTE);
    expect(blocked(time.clock.now())).toBe(true);
    time.pass(2 * MINUTE);
    expect(blocked(time.clock.now())).toBe(false);
    expect(blocked(time.wall())).toBe(true); // and block 2 h too long after the step back
  });
});
