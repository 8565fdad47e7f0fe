import { describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../types.js';
import { MemoryNetwork } from './memory.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('MemoryTransport', () => {
  async function cluster(ids: string[]) {
    const net = new MemoryNetwork();
    const got = new Map<NodeId, Message[]>();
    const unreachable = new Map<NodeId, NodeId[]>();
    const snaps: [NodeId, NodeId, boolean][] = [];
    const ts = await Promise.all(
      ids.map(async (id) => {
        const t = net.transport(id);
        got.set(id, []);
        unreachable.set(id, []);
        await t.start({
          onMessage: (m) => got.get(id)?.push(m),
          onUnreachable: (p) => unreachable.get(id)?.push(p),
          onSnapshotStatus: (p, ok) => snaps.push([id, p, ok]),
        });
        return t;
      }),
    );
    return { net, ts, got, unreachable, snaps };
  }

  it('delivers asynchronously, never inside send()', async () => {
    const { ts, got } = await cluster(['a', 'b']);
    ts[0]?.send({ type: 'vote', from: 'a', to: 'b', term: 1 });
    expect(got.get('b')).toHaveLength(0);
    await tick();
    expect(got.get('b')?.map((m) => m.term)).toEqual([1]);
  });

  it('drops across a cut link and reports the peer unreachable, until healed', async () => {
    const { net, ts, got, unreachable } = await cluster(['a', 'b', 'c']);
    net.isolate('a');
    ts[0]?.send({ type: 'vote', from: 'a', to: 'b', term: 1 });
    ts[2]?.send({ type: 'vote', from: 'c', to: 'b', term: 1 });
    await tick();
    expect(got.get('b')?.map((m) => m.from)).toEqual(['c']);
    expect(unreachable.get('a')).toEqual(['b']);
    net.heal();
    ts[0]?.send({ type: 'vote', from: 'a', to: 'b', term: 2 });
    await tick();
    expect(got.get('b')?.map((m) => m.from)).toEqual(['c', 'a']);
  });

  it('reports snapshot outcomes and drops messages for stopped nodes', async () => {
    const { ts, snaps } = await cluster(['a', 'b']);
    const snapshot = { meta: { index: 1, term: 1, conf: { voters: ['a', 'b'] } }, data: new Uint8Array(3) };
    ts[0]?.send({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot });
    await tick();
    await ts[1]?.stop();
    ts[0]?.send({ type: 'snapshot', from: 'a', to: 'b', term: 1, snapshot });
    await tick();
    expect(snaps).toEqual([
      ['a', 'b', true],
      ['a', 'b', false],
    ]);
  });
});
