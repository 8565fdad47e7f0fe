#!/usr/bin/env node
// A tiny replicated key/value store on @orchestrator/consensus: one raft node over gRPC plus an HTTP
// control channel. Used by the README example, the real-process tests and the benchmark.
//
//   node examples/kv-node.mjs --id 127.0.0.1:7001 --peers 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003 \
//     --data /tmp/kv1 --http 8001
//
// HTTP (JSON responses):
//   GET  /status                 raft status + state machine digest
//   POST /put?k=K  (body = value) replicate one write; → { result }
//   GET  /get?k=K                linearizable read (ReadIndex) on the leader
//   POST /bulk?n=N&concurrency=C&size=S&prefix=P&keys=K
//                                N writes of S bytes (keys P0…P(K-1), K defaults to N) from C
//                                concurrent proposers inside this process (the leader);
//                                → { n, errors, ms, perSec, p50Ms, p99Ms } (500 if any failed)
//   POST /transfer?to=ID, POST /add?id=ID, POST /remove?id=ID
// Prints one JSON line {"event":"ready",...} on stdout once serving; errors go to stderr, and a
// start failure (e.g. a corrupt log) exits with code 2 after printing the error.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { RaftNode } from '../dist/index.js';

const { values: args } = parseArgs({
  options: {
    id: { type: 'string' },
    bind: { type: 'string' },
    peers: { type: 'string' },
    data: { type: 'string' },
    http: { type: 'string', default: '0' },
    'tick-ms': { type: 'string' },
    'election-ticks': { type: 'string' },
    'heartbeat-ticks': { type: 'string' },
    'snapshot-threshold': { type: 'string' },
    trailing: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});
if (!args.id || !args.peers || !args.data) {
  process.stderr.write('usage: kv-node --id HOST:PORT --peers A,B,C --data DIR [--http PORT]\n');
  process.exit(64);
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The state machine: a Map plus a running hash of every applied entry (equal hash = equal history). */
class KvMachine {
  kv = new Map();
  chain = '0';
  restores = 0;
  /** Restores after start-up: snapshots installed from the leader. */
  installs = 0;
  started = false;
  apply(entry) {
    const text = dec.decode(entry.data);
    const cut = text.indexOf('=');
    const key = cut < 0 ? text : text.slice(0, cut);
    const prev = this.kv.get(key);
    this.kv.set(key, cut < 0 ? '' : text.slice(cut + 1));
    this.chain = createHash('sha1').update(this.chain).update(entry.data).digest('hex');
    return prev === undefined ? null : prev.length;
  }
  async snapshot() {
    return enc.encode(JSON.stringify({ chain: this.chain, kv: [...this.kv] }));
  }
  async restore(data) {
    const state = JSON.parse(dec.decode(data));
    this.kv = new Map(state.kv);
    this.chain = state.chain;
    this.restores++;
    if (this.started) this.installs++;
  }
}

const num = (v) => (v === undefined ? undefined : Number(v));
const log = (level, msg, fields) => {
  if (args.quiet && level !== 'error' && level !== 'warn') return;
  process.stderr.write(
    `${JSON.stringify({ t: Math.round(performance.timeOrigin + performance.now()), level, msg, ...fields })}\n`,
  );
};

const sm = new KvMachine();
const node = new RaftNode(
  {
    id: args.id,
    ...(args.bind ? { bind: args.bind } : {}),
    peers: args.peers.split(',').filter(Boolean),
    dataDir: args.data,
    ...(args['tick-ms'] ? { tickMs: num(args['tick-ms']) } : {}),
    ...(args['election-ticks'] ? { electionTicks: num(args['election-ticks']) } : {}),
    ...(args['heartbeat-ticks'] ? { heartbeatTicks: num(args['heartbeat-ticks']) } : {}),
    ...(args['snapshot-threshold'] ? { snapshotThreshold: num(args['snapshot-threshold']) } : {}),
    ...(args.trailing ? { trailingEntries: num(args.trailing) } : {}),
    log,
  },
  sm,
);

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function bulk(n, concurrency, size, prefix, keySpace) {
  const pad = 'x'.repeat(size);
  const lat = [];
  let next = 0;
  let errors = 0;
  let lastError;
  const t0 = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const body = `${prefix}${i % keySpace}=`;
      const data = enc.encode(body + pad.slice(0, Math.max(0, size - body.length)));
      const s = performance.now();
      try {
        await node.propose(data);
        lat.push(performance.now() - s);
      } catch (err) {
        errors++;
        lastError = err.message;
        if (err.code === 'NOT_LEADER' || err.code === 'RAFT_STOPPED') return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - t0;
  lat.sort((a, b) => a - b);
  const ok = lat.length;
  return {
    n: ok,
    errors,
    ...(lastError ? { lastError } : {}),
    concurrency,
    ms,
    perSec: (ok / ms) * 1000,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
  };
}

function errorBody(err) {
  return { error: err.message, code: err.code, ...(err.leader !== undefined ? { leader: err.leader } : {}) };
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const q = (k) => url.searchParams.get(k) ?? '';
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  try {
    if (url.pathname === '/status') {
      const digest = createHash('sha1')
        .update(JSON.stringify([...sm.kv].sort()))
        .digest('hex');
      return send(200, {
        ...node.status(),
        keys: sm.kv.size,
        chain: sm.chain,
        digest,
        restores: sm.restores,
        installs: sm.installs,
      });
    }
    if (url.pathname === '/put' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      return send(200, { result: await node.propose(enc.encode(`${q('k')}=${body}`)) });
    }
    if (url.pathname === '/get') {
      await node.readIndex();
      return send(200, { value: sm.kv.get(q('k')) ?? null });
    }
    if (url.pathname === '/bulk' && req.method === 'POST') {
      const n = Number(q('n') || 1000);
      const keySpace = Number(q('keys') || n);
      const result = await bulk(
        n,
        Number(q('concurrency') || 1),
        Number(q('size') || 256),
        q('prefix') || 'k',
        keySpace,
      );
      return send(result.errors > 0 ? 500 : 200, result);
    }
    if (url.pathname === '/transfer' && req.method === 'POST') {
      await node.transferLeadership(q('to') || undefined);
      return send(200, { ok: true });
    }
    if (url.pathname === '/add' && req.method === 'POST') {
      await node.addVoter(q('id'));
      return send(200, { ok: true });
    }
    if (url.pathname === '/remove' && req.method === 'POST') {
      await node.removeServer(q('id'));
      return send(200, { ok: true });
    }
    return send(404, { error: 'no such route' });
  } catch (err) {
    return send(err.code === 'NOT_LEADER' ? 421 : 500, errorBody(err));
  }
});

try {
  await node.start();
} catch (err) {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', msg: `cannot start: ${err.message}`, code: err.code })}\n`,
  );
  process.exit(2);
}
sm.started = true;
node.on('error', (err) => {
  log('error', err.message, { code: err.code });
  process.exit(3);
});
server.listen(Number(args.http), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ event: 'ready', id: args.id, http: address.port, pid: process.pid })}\n`,
  );
});

const shutdown = async () => {
  server.close();
  await node.stop();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
