// `orchestrator -c COMMAND` with raft off (one node, SQLite backend): the commands operators script
// act through the backend and on a real MariaDB 1+2 topology, as the reference's command line does.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  REPLICATION_PASSWORD,
  REPLICATION_USER,
  startMariaDBTopology,
  TOPOLOGY_PASSWORD,
  TOPOLOGY_USER,
  type Topology,
} from '@orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../src/index.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'orchestrator-cli-topology-'));
const config = join(dir, 'orchestrator.conf.json');
let topology: Topology<number>;
let M: string;
let R1: string;
let R2: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, `--config=${config}`, ...args], {
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs a command that must succeed; its stdout lines. */
async function ok(...args: string[]): Promise<string[]> {
  const r = await cli(...args);
  expect(r.stderr, `${args.join(' ')}: ${r.stderr}`).not.toMatch(/^orchestrator: (?!.*note)/m);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout.split('\n').filter((line) => line !== '');
}

/** The port a replica's SQL thread replicates from, read from MariaDB itself. */
async function masterPortOf(port: number): Promise<number> {
  const conn = await topology.server(port).connect();
  try {
    const [rows] = await conn.query('SHOW SLAVE STATUS');
    const row = (rows as Record<string, unknown>[])[0];
    return Number(row?.Master_Port ?? 0);
  } finally {
    await conn.end();
  }
}

beforeAll(async () => {
  topology = await startMariaDBTopology({ replicas: 2 });
  const [r1, r2] = topology.replicas as [number, number];
  M = `127.0.0.1:${topology.master}`;
  R1 = `127.0.0.1:${r1}`;
  R2 = `127.0.0.1:${r2}`;
  writeFileSync(
    config,
    JSON.stringify({
      BackendDB: 'sqlite',
      SQLite3DataFile: join(dir, 'orchestrator.sqlite3'),
      MySQLTopologyUser: TOPOLOGY_USER,
      MySQLTopologyPassword: TOPOLOGY_PASSWORD,
      MySQLReplicaUser: REPLICATION_USER,
      MySQLReplicaPassword: REPLICATION_PASSWORD,
      MySQLHostnameResolveMethod: 'none',
      HostnameResolveMethod: 'none',
      RecoverMasterClusterFilters: ['*'],
    }),
  );
}, 120_000);

afterAll(async () => {
  await topology?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('orchestrator -c, raft off, on a MariaDB 1+2', () => {
  it('discovers the topology and answers the read commands', async () => {
    expect(await ok('-c', 'discover', '-i', M)).toEqual([M]);
    expect(await ok('-c', 'clusters')).toEqual([M]);
    expect((await ok('-c', 'which-replicas', '-i', M)).sort()).toEqual([R1, R2].sort());
    expect(await ok('-c', 'which-master', '-i', R1)).toEqual([M]);
    expect(await ok('-c', 'which-cluster-master', '-i', R2)).toEqual([M]);
    expect((await ok('-c', 'which-cluster-instances', '--alias', M)).sort()).toEqual([M, R1, R2].sort());
    expect(await ok('-c', 'instance', '-i', R1)).toEqual([R1]);
    const topo = await ok('-c', 'topology', '-i', M);
    expect(topo[0]).toMatch(new RegExp(`^${M}\\s+\\[.*ok.*rw`));
    expect(topo.slice(1).every((line) => /^\+ 127\.0\.0\.1:\d+\s+\[.*ro.*GTID/.test(line))).toBe(true);
  }, 60_000);

  it('submit-masters-to-kv-stores prints the pairs it wrote, key:value', async () => {
    const lines = await ok('-c', 'submit-masters-to-kv-stores', '--alias', M);
    expect(lines).toContain(`mysql/master/${M}:${M}`);
    expect(lines).toContain(`mysql/master/${M}/port:${M.split(':')[1]}`);
  });

  it('--json prints the reference’s JSON shapes', async () => {
    const r = await cli('--json', '-c', 'which-replicas', '-i', M);
    expect(r.code).toBe(0);
    const keys = JSON.parse(r.stdout) as { Hostname: string; Port: number }[];
    expect(keys.map((k) => `${k.Hostname}:${k.Port}`).sort()).toEqual([R1, R2].sort());
  });

  it('moves replicas on MySQL: move-below, move-up, relocate, repoint', async () => {
    const r1 = Number(R1.split(':')[1]);
    const r2 = Number(R2.split(':')[1]);
    expect(await ok('-c', 'move-below', '-i', R2, '-d', R1)).toEqual([`${R2}<${R1}`]);
    expect(await masterPortOf(r2)).toBe(r1);
    const chained = await ok('-c', 'topology', '-i', M);
    expect(chained.some((line) => line.startsWith(`  + ${R2}`))).toBe(true);
    expect(await ok('-c', 'move-up', '-i', R2)).toEqual([`${R2}<${M}`]);
    expect(await masterPortOf(r2)).toBe(topology.master);
    expect(await ok('-c', 'relocate', '-i', R2, '-d', R1)).toEqual([`${R2}<${R1}`]);
    expect(await masterPortOf(r2)).toBe(r1);
    expect(await ok('-c', 'repoint', '-i', R2, '-d', M)).toEqual([`${R2}<${M}`]);
    expect(await masterPortOf(r2)).toBe(topology.master);
  }, 60_000);

  it('stops and starts replication, sets read-only and writeable', async () => {
    const server = topology.server(Number(R1.split(':')[1]));
    const status = async (): Promise<{ io: string; readOnly: number }> => {
      const conn = await server.connect();
      try {
        const [rows] = await conn.query('SHOW SLAVE STATUS');
        const [ro] = await conn.query('SELECT @@global.read_only AS ro');
        return {
          io: String((rows as Record<string, unknown>[])[0]?.Slave_IO_Running),
          readOnly: Number((ro as { ro: number }[])[0]?.ro),
        };
      } finally {
        await conn.end();
      }
    };
    await ok('-c', 'stop-slave', '-i', R1);
    expect((await status()).io).toBe('No');
    await ok('-c', 'start-replica', '-i', R1);
    expect((await status()).io).not.toBe('No');
    await ok('-c', 'set-writeable', '-i', R1);
    expect((await status()).readOnly).toBe(0);
    await ok('-c', 'set-read-only', '-i', R1);
    expect((await status()).readOnly).toBe(1);
  }, 60_000);

  it('downtimes, registers a candidate and shows both', async () => {
    await ok(
      '-c',
      'begin-downtime',
      '-i',
      R1,
      '--reason',
      'maintenance',
      '--duration',
      '1h',
      '--owner',
      'ops',
    );
    expect((await ok('-c', 'topology', '-i', M)).find((l) => l.includes(R1))).toContain('downtimed');
    await ok('-c', 'end-downtime', '-i', R1);
    expect((await ok('-c', 'topology', '-i', M)).find((l) => l.includes(R1))).not.toContain('downtimed');
    const bad = await cli('-c', 'register-candidate', '-i', R1, '--promotion-rule', 'best');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('best');
    await ok('-c', 'register-candidate', '-i', R1, '--promotion-rule', 'prefer');
    const r = await cli('--json', '-c', 'instance', '-i', R1);
    expect(JSON.parse(r.stdout).PromotionRule).toBe('prefer');
  }, 60_000);

  it('graceful-master-takeover promotes the designated replica on MySQL; the acks are counted', async () => {
    const r1 = Number(R1.split(':')[1]);
    const r2 = Number(R2.split(':')[1]);
    const lines = await ok('-c', 'graceful-master-takeover', '-i', M, '-d', R1);
    expect(lines[0]).toBe(R1);
    expect(await masterPortOf(r2)).toBe(r1);
    expect(await masterPortOf(topology.master)).toBe(r1);
    expect(await ok('-c', 'which-cluster-master', '-i', R2)).toEqual([R1]);
    expect(await ok('-c', 'ack-all-recoveries', '--reason', 'done')).toEqual(['1 recoveries acknowldged']);
  }, 90_000);
});
