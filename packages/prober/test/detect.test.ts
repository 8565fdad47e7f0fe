import { describe, expect, it } from 'vitest';
import { detect } from '../src/detect.js';
import { InMemoryAnalysisContextSource, InMemoryInstanceRepository } from '../src/discovery/repository.js';
import { EmergentExecutor } from '../src/emergent.js';
import { config, inst, NOW } from './fixtures.js';

describe('detect', () => {
  it('analyses the repository with its context and runs emergent actions', async () => {
    const repository = new InMemoryInstanceRepository();
    await repository.upsertInstances([
      inst(1, { dead: true }),
      inst(2, { master: 1 }),
      inst(3, { master: 1 }),
    ]);
    const reprobed: number[][] = [];
    const emergent = new EmergentExecutor({
      reprobe: (k) => reprobed.push(k.map((x) => x.Port)),
      execute: async () => {},
    });
    const entries = await detect({ repository, config, emergent, now: () => NOW });
    expect(entries.map((e) => e.Analysis)).toEqual(['UnreachableMaster']);
    expect(reprobed).toEqual([[1, 2, 3]]);
    const context = new InMemoryAnalysisContextSource({ maintenance: [{ Hostname: 'h', Port: 1 }] });
    expect(await detect({ repository, config, context, now: () => NOW })).toEqual([]);
  });

  it('a semi-sync master stuck past the limit is LockedSemiSyncMaster', async () => {
    const repository = new InMemoryInstanceRepository();
    await repository.upsertInstances([
      inst(1, { semiSync: { enabled: true, status: true, wait: 1, clients: 0 } }),
      inst(2, { master: 1 }),
    ]);
    const stuck = new Map([['h:1', NOW - 60_000]]);
    const [e] = await detect({ repository, config, now: () => NOW, binlogUnchangedSince: () => stuck });
    expect(e?.Analysis).toBe('LockedSemiSyncMaster');
  });
});
