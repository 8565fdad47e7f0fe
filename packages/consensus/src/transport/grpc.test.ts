import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasOpenssl, makePki } from '@orchestrator/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../types.js';
import { GrpcTransport, type GrpcTransportOptions } from './grpc.js';
import type { TlsOptions } from './tls.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Node {
  t: GrpcTransport;
  got: Message[];
  unreachable: NodeId[];
  snapshots: { peer: NodeId; ok: boolean }[];
}

const started: GrpcTransport[] = [];

async function node(id: string, extra: Partial<GrpcTransportOptions> = {}): Promise<Node> {
  const t = new GrpcTransport({ id, backoffInitialMs: 20, backoffMaxMs: 200, ...extra });
  const n: Node = { t, got: [], unreachable: [], snapshots: [] };
  await t.start({
    onMessage: (m) => n.got.push(m),
    onUnreachable: (p) => n.unreachable.push(p),
    onSnapshotStatus: (peer, ok) => n.snapshots.push({ peer, ok }),
  });
  started.push(t);
  return n;
}

afterEach(async () => {
  for (const t of started.splice(0)) await t.stop();
});

const enc = new TextEncoder();

describe('GrpcTransport', () => {
  it('carries every field of a message and keeps order within a batch', async () => {
    const a = await node(`127.0.0.1:${await freePort()}`);
    const b = await node(`127.0.0.1:${await freePort()}`);
    const rich: Message = {
      type: 'append',
      from: a.t.id,
      to: b.t.id,
      term: 7,
      logTerm: 6,
      index: 41,
      commit: 40,
      entries: [
        { index: 42, term: 7, kind: 'normal', data: enc.encode('x') },
        { index: 43, term: 7, kind: 'conf', data: enc.encode('c') },
        { index: 44, term: 7, kind: 'noop', data: new Uint8Array() },
      ],
    };
    a.t.send(rich);
    a.t.send({
      type: 'appendResp',
      from: a.t.id,
      to: b.t.id,
      term: 7,
      index: 3,
      reject: true,
      rejectHint: 2,
      logTerm: 1,
    });
    a.t.send({ type: 'heartbeat', from: a.t.id, to: b.t.id, term: 0, context: enc.encode('ctx') });
    for (let i = 0; i < 2000; i++) a.t.send({ type: 'vote', from: a.t.id, to: b.t.id, term: 100 + i });
    await waitFor(() => b.got.length === 2003, 10_000, 'all messages');
    expect(b.got[0]).toEqual(rich);
    expect(b.got[1]).toEqual({
      type: 'appendResp',
      from: a.t.id,
      to: b.t.id,
      term: 7,
      index: 3,
      reject: true,
      rejectHint: 2,
      logTerm: 1,
    });
    expect(b.got[2]?.context && new TextDecoder().decode(b.got[2].context)).toBe('ctx');
    expect(b.got[2]?.index).toBeUndefined();
    expect(b.got.slice(3).map((m) => m.term)).toEqual(Array.from({ length: 2000 }, (_, i) => 100 + i));
    // An append without entries still has an entries array.
    a.t.send({ type: 'append', from: a.t.id, to: b.t.id, term: 8, index: 44, logTerm: 7, commit: 44 });
    await waitFor(() => b.got.length === 2004);
    expect(b.got[2003]?.entries).toEqual([]);
  });

  it('drops a message whose sender disagrees with the stream identity', async () => {
    const a = await node(`127.0.0.1:${await freePort()}`);
    const b = await node(`127.0.0.1:${await freePort()}`);
    a.t.send({ type: 'vote', from: 'impostor:1', to: b.t.id, term: 99 });
    a.t.send({ type: 'vote', from: a.t.id, to: b.t.id, term: 5 });
    await waitFor(() => b.got.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(b.got.map((m) => m.from)).toEqual([a.t.id]);
  });

  it('reports an unreachable peer and reconnects once it is back', async () => {
    const portB = await freePort();
    const a = await node(`127.0.0.1:${await freePort()}`);
    const idB = `127.0.0.1:${portB}`;
    a.t.send({ type: 'heartbeat', from: a.t.id, to: idB, term: 1 });
    await waitFor(() => a.unreachable.includes(idB), 5_000, 'unreachable report');
    const b = await node(idB);
    // Keep sending until the backoff expires and the stream re-opens.
    await waitFor(
      () => {
        a.t.send({ type: 'heartbeat', from: a.t.id, to: idB, term: 2 });
        return b.got.length > 0;
      },
      5_000,
      'delivery after the peer came up',
    );
    // Restart the peer: the old stream breaks, a new one is opened.
    await b.t.stop();
    const b2 = await node(idB);
    await waitFor(
      () => {
        a.t.send({ type: 'heartbeat', from: a.t.id, to: idB, term: 3 });
        return b2.got.some((m) => m.term === 3);
      },
      5_000,
      'delivery after the peer restarted',
    );
  });

  it('tells onDropped about each message it could not deliver to an unreachable peer', async () => {
    const dropped: string[] = [];
    const a = await node(`127.0.0.1:${await freePort()}`, {
      onDropped: (type, reason) => dropped.push(`${type} ${reason}`),
    });
    const idB = `127.0.0.1:${await freePort()}`;
    a.t.send({ type: 'heartbeat', from: a.t.id, to: idB, term: 1 });
    await waitFor(() => a.unreachable.includes(idB), 5_000, 'unreachable report');
    // Waiting out the reconnect delay: a message sent now is dropped at once.
    a.t.send({ type: 'vote', from: a.t.id, to: idB, term: 2, index: 0, logTerm: 0 });
    await waitFor(() => dropped.includes('vote unreachable'), 5_000, 'the vote reported dropped');
    expect(dropped.every((d) => d.endsWith(' unreachable'))).toBe(true);
  });

  it('dials a peer again at once when that peer connects, not after the reconnect delay', async () => {
    const portB = await freePort();
    // A reconnect delay of 15–30 s: without the redial, nothing could reach B within this test.
    const a = await node(`127.0.0.1:${await freePort()}`, { backoffInitialMs: 30_000, backoffMaxMs: 30_000 });
    const idB = `127.0.0.1:${portB}`;
    a.t.send({ type: 'heartbeat', from: a.t.id, to: idB, term: 1 });
    await waitFor(() => a.unreachable.includes(idB), 5_000, 'unreachable report');
    // B restarts and, as a RaftNode does when it starts, connects to its peers without sending.
    const b = await node(idB);
    b.t.connect([a.t.id, idB]);
    await waitFor(
      () => {
        a.t.send({ type: 'heartbeat', from: a.t.id, to: idB, term: 2 });
        return b.got.some((m) => m.term === 2);
      },
      5_000,
      'delivery to B once B had dialled A',
    );
  });

  it('streams a large snapshot in chunks', async () => {
    const a = await node(`127.0.0.1:${await freePort()}`, { snapshotChunkBytes: 256 * 1024 });
    const b = await node(`127.0.0.1:${await freePort()}`, { maxMessageBytes: 1024 * 1024 });
    const data = new Uint8Array(5 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const meta = { index: 5000, term: 4, conf: { voters: [a.t.id, b.t.id] } };
    a.t.send({ type: 'snapshot', from: a.t.id, to: b.t.id, term: 4, snapshot: { meta, data } });
    await waitFor(() => a.snapshots.length === 1, 20_000, 'snapshot status');
    expect(a.snapshots[0]).toEqual({ peer: b.t.id, ok: true });
    const got = b.got[0];
    expect(got?.type).toBe('snapshot');
    expect(got?.snapshot?.meta).toEqual(meta);
    expect(Buffer.compare(Buffer.from(got?.snapshot?.data ?? []), Buffer.from(data))).toBe(0);
  });

  it('refuses a snapshot larger than the receiver allows', async () => {
    const a = await node(`127.0.0.1:${await freePort()}`);
    const b = await node(`127.0.0.1:${await freePort()}`, { maxSnapshotBytes: 1000 });
    const meta = { index: 1, term: 1, conf: { voters: [a.t.id, b.t.id] } };
    a.t.send({
      type: 'snapshot',
      from: a.t.id,
      to: b.t.id,
      term: 1,
      snapshot: { meta, data: new Uint8Array(5000) },
    });
    await waitFor(() => a.snapshots.length === 1);
    expect(a.snapshots[0]?.ok).toBe(false);
    expect(b.got).toHaveLength(0);
  });
});

describe.runIf(hasOpenssl())('GrpcTransport with TLS', () => {
  let dir: string;
  let good: { ca: string; cert: string; key: string };
  let rogue: { ca: string; cert: string; key: string };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'raft-tls-'));
    good = makePki(dir, 'good');
    rogue = makePki(dir, 'rogue');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const tls = (p: { ca: string; cert: string; key: string }, requireClientCert = true): TlsOptions => ({
    caFile: p.ca,
    certFile: p.cert,
    keyFile: p.key,
    requireClientCert,
  });

  it('exchanges messages over mutual TLS', async () => {
    const a = await node(`127.0.0.1:${await freePort()}`, { tls: tls(good) });
    const b = await node(`127.0.0.1:${await freePort()}`, { tls: tls(good) });
    a.t.send({ type: 'vote', from: a.t.id, to: b.t.id, term: 3 });
    b.t.send({ type: 'voteResp', from: b.t.id, to: a.t.id, term: 3 });
    await waitFor(() => a.got.length === 1 && b.got.length === 1);
    expect(b.got[0]?.from).toBe(a.t.id);
  });

  it('refuses a peer whose certificate is signed by another CA', async () => {
    const b = await node(`127.0.0.1:${await freePort()}`, { tls: tls(good) });
    const evil = await node(`127.0.0.1:${await freePort()}`, {
      tls: { ...tls(rogue), caFile: good.ca }, // trusts b, but presents a rogue client cert
    });
    await waitFor(
      () => {
        evil.t.send({ type: 'vote', from: evil.t.id, to: b.t.id, term: 50 });
        return evil.unreachable.length >= 2;
      },
      5_000,
      'the rogue peer to be refused',
    );
    expect(b.got).toHaveLength(0);
  });

  it('refuses a plaintext caller', async () => {
    const b = await node(`127.0.0.1:${await freePort()}`, { tls: tls(good) });
    const plain = await node(`127.0.0.1:${await freePort()}`);
    await waitFor(
      () => {
        plain.t.send({ type: 'vote', from: plain.t.id, to: b.t.id, term: 50 });
        return plain.unreachable.length >= 2;
      },
      5_000,
      'the plaintext peer to be refused',
    );
    expect(b.got).toHaveLength(0);
  });
});
