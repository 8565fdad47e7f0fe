import { describe, expect, it } from 'vitest';
import { MemoryLogStore, MemorySnapshotStore, MemoryStableStore } from '../storage/memory.js';
import { MemoryNetwork } from '../transport/memory.js';
import type { StateMachine } from './config.js';
import { RaftNode } from './raft-node.js';

const machine: StateMachine = {
  apply: () => undefined,
  snapshot: async () => new Uint8Array(),
  restore: async () => {},
};

describe('bootstrap membership', () => {
  it('is remembered from the first start: a later config edit does not change it silently', async () => {
    const storage = {
      log: new MemoryLogStore(),
      stable: new MemoryStableStore(),
      snapshots: new MemorySnapshotStore(3),
    };
    const network = new MemoryNetwork();
    const start = async (peers: string[]) => {
      const node = new RaftNode(
        {
          id: 'a:1',
          peers,
          storage,
          transport: network.transport('a:1'),
          tickMs: 10,
          electionTicks: 10,
          heartbeatTicks: 2,
        },
        machine,
      );
      await node.start();
      return node;
    };
    const first = await start(['a:1', 'b:1', 'c:1']);
    expect([...first.status().members].sort()).toEqual(['a:1', 'b:1', 'c:1']);
    await first.stop();

    const edited = await start(['a:1', 'b:1', 'x:1']);
    expect([...edited.status().members].sort()).toEqual(['a:1', 'b:1', 'c:1']);
    await edited.stop();
  });
});
