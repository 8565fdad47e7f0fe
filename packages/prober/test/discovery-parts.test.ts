// The discovery loop's pure parts: the worker pool's queues, the write batch, replica-link
// observations and the burst schedule.
import { emptyInstance } from '@orchestrator/model';
import { describe, expect, it } from 'vitest';
import { observeLink, replicationChanged } from '../src/discovery/replica-link.js';
import { burstDelayMs, nextBurstRoundMs, QUICK_BURST_MS } from '../src/discovery/schedule.js';
import { type Queueable, WorkQueues } from '../src/discovery/work-queues.js';
import { WriteBatch } from '../src/discovery/write-batch.js';

const entry = (id: string): Queueable => ({ id, inFlight: false, queued: false, urgent: false });

describe('WorkQueues', () => {
  it('urgent first, then the slow lane up to its limit, then the rest; never more than max at once', () => {
    const q = new WorkQueues<Queueable>();
    const slow = ['s1', 's2', 's3'].map(entry);
    const fast = ['f1', 'f2'].map(entry);
    for (const e of slow) q.enqueueDue(e, true);
    for (const e of fast) q.enqueueDue(e, false);
    const urgent = entry('u');
    expect(q.enqueueUrgent(urgent)).toBe(true);
    const order: string[] = [];
    for (;;) {
      const next = q.next(5, () => true);
      if (!next) break;
      q.started(next.entry, next.slow);
      order.push(next.entry.id);
    }
    // slowLaneLimit(5) = 2: two slow probes, then the fast ones; max 5 running.
    expect(order).toEqual(['u', 's1', 's2', 'f1', 'f2']);
    expect(q.active()).toBe(5);
    expect(q.backlog()).toBe(1);
  });

  it('skips forgotten entries and marks a running entry urgent without queueing it twice', () => {
    const q = new WorkQueues<Queueable>();
    const gone = entry('gone');
    const kept = entry('kept');
    q.enqueueDue(gone, false);
    q.enqueueDue(kept, false);
    const next = q.next(4, (e) => e.id !== 'gone');
    expect(next?.entry.id).toBe('kept');
    q.started(kept, false);
    expect(q.enqueueUrgent(kept)).toBe(false);
    expect(kept.urgent).toBe(true);
    q.finished(kept, false);
    expect(q.active()).toBe(0);
    expect(kept.inFlight).toBe(false);
  });
});

describe('WriteBatch', () => {
  it('hands over everything pending once, then starts empty', () => {
    const b = new WriteBatch();
    const i = emptyInstance({ Hostname: 'db1', Port: 3306 });
    b.upsert(i);
    b.failure({ key: i.Key, at: '2026-01-01T00:00:00Z' });
    b.attempt(i.Key);
    b.clusterChanged('db1:3306');
    expect(b.size()).toBe(2);
    const batch = b.take();
    expect(batch.upserts).toEqual([i]);
    expect(batch.failures).toHaveLength(1);
    expect(batch.attempts).toEqual([i.Key]);
    expect([...batch.changedClusters]).toEqual(['db1:3306']);
    expect(b.size()).toBe(0);
    expect(b.take().upserts).toEqual([]);
  });
});

describe('replica link', () => {
  const replica = () => ({
    ...emptyInstance({ Hostname: 'r1', Port: 3306 }),
    MasterKey: { Hostname: 'm', Port: 3306 },
  });

  it('a master has no link; an unchanged signature counts silence from its first sighting', () => {
    expect(observeLink(undefined, emptyInstance({ Hostname: 'm', Port: 3306 }), 0)).toBeUndefined();
    const first = observeLink(undefined, replica(), 1000);
    expect(first?.silentMs).toBe(0);
    const later = observeLink(first, replica(), 5000);
    expect(later?.firstAt).toBe(1000);
    expect(later?.silentMs).toBe(4000);
    const moved = replica();
    moved.ReadBinlogCoordinates = { ...moved.ReadBinlogCoordinates, LogPos: 99 };
    expect(observeLink(later, moved, 6000)?.silentMs).toBe(0);
  });

  it('a changed master or thread state is a replication change; nothing else is', () => {
    const a = replica();
    expect(replicationChanged(a, replica())).toBe(false);
    expect(replicationChanged(a, { ...replica(), ReplicationIOThreadState: 0 })).toBe(
      a.ReplicationIOThreadState !== 0,
    );
    expect(replicationChanged(a, { ...replica(), MasterKey: { Hostname: 'other', Port: 3306 } })).toBe(true);
  });
});

describe('burst schedule', () => {
  const base = { present: true, settled: false, suspect: false, now: 0, until: 5000 };

  it('quick rounds first, then the interval', () => {
    expect(burstDelayMs(0, 200)).toBe(QUICK_BURST_MS);
    expect(burstDelayMs(10, 200)).toBe(200);
    expect(nextBurstRoundMs(base, 1, 200)).toBe(QUICK_BURST_MS);
  });

  it('ends when gone, settled, or over and not suspect; a suspect instance is watched every second', () => {
    expect(nextBurstRoundMs({ ...base, present: false }, 1, 200)).toBeUndefined();
    expect(nextBurstRoundMs({ ...base, settled: true }, 1, 200)).toBeUndefined();
    expect(nextBurstRoundMs({ ...base, now: 6000 }, 9, 200)).toBeUndefined();
    expect(nextBurstRoundMs({ ...base, now: 6000, suspect: true }, 9, 200)).toBe(1000);
  });
});
