// Shared test fixtures: the same suites run on SQLite (a temp file) and on a real MariaDB started by
// the test kit (one server per test file, one fresh database per store).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MariaDBServer, startMariaDB } from '@orchestrator/testkit';
import type { StoreConfig } from '../src/config.js';
import { emptyInstance, type Instance, type InstanceKey } from '../src/model/instance.js';
import { openStore, type Store } from '../src/store.js';

export type Kind = 'sqlite' | 'mysql';
export const kinds: Kind[] = ['sqlite', 'mysql'];

/** A settable clock (epoch ms). */
export class FakeClock {
  constructor(public ms = Date.parse('2026-01-10T12:00:00.000Z')) {}
  now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

let dbCounter = 0;

/** Per-file environment: opens stores of either kind and cleans everything up. */
export class Env {
  private server: MariaDBServer | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'orc-store-test-'));
  private readonly stores: Store[] = [];

  async mysqlServer(): Promise<MariaDBServer> {
    this.server ??= await startMariaDB();
    return this.server;
  }

  sqliteFile(name?: string): string {
    dbCounter++;
    return join(this.dir, name ?? `node-${dbCounter}.db`);
  }

  async config(kind: Kind, extra: StoreConfig = {}): Promise<StoreConfig> {
    dbCounter++;
    if (kind === 'sqlite') return { BackendDB: 'sqlite3', SQLite3DataFile: this.sqliteFile(), ...extra };
    const server = await this.mysqlServer();
    return {
      BackendDB: 'mysql',
      MySQLOrchestratorHost: server.host,
      MySQLOrchestratorPort: server.port,
      MySQLOrchestratorDatabase: `orc_test_${process.pid}_${dbCounter}`,
      MySQLOrchestratorUser: 'root',
      MySQLOrchestratorPassword: '',
      MySQLOrchestratorMaxPoolConnections: 8,
      ...extra,
    };
  }

  async open(kind: Kind, clock: FakeClock = new FakeClock(), extra: StoreConfig = {}): Promise<Store> {
    const store = await openStore(await this.config(kind, extra), {
      clock: clock.now,
      node: { hostname: 'node1', token: 't1' },
    });
    this.stores.push(store);
    return store;
  }

  async openConfig(config: StoreConfig, clock: FakeClock = new FakeClock()): Promise<Store> {
    const store = await openStore(config, { clock: clock.now });
    this.stores.push(store);
    return store;
  }

  async dispose(): Promise<void> {
    for (const s of this.stores) await s.close().catch(() => undefined);
    if (this.server) await this.server.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fully populated instance, as a probe would produce it. */
export function sampleInstance(
  host: string,
  port: number,
  master?: InstanceKey,
  at = '2026-01-10T11:59:58.000Z',
): Instance {
  const i = emptyInstance({ Hostname: host, Port: port });
  Object.assign(i, {
    InstanceAlias: `${host}-alias`,
    Uptime: 12345,
    ServerID: port,
    ServerUUID: `uuid-${host}-${port}`,
    Version: '10.11.19-MariaDB',
    VersionComment: 'Debian',
    FlavorName: 'MariaDB',
    ReadOnly: !!master,
    Binlog_format: 'ROW',
    BinlogRowImage: 'FULL',
    LogBinEnabled: true,
    LogReplicationUpdatesEnabled: true,
    SelfBinlogCoordinates: { LogFile: 'mysql-bin.000003', LogPos: 4711, Type: 'BinaryLog' },
    MasterKey: master ?? { Hostname: '', Port: 0 },
    ReplicationSQLThreadRuning: !!master,
    ReplicationIOThreadRuning: !!master,
    ReplicationSQLThreadState: master ? 1 : -1,
    ReplicationIOThreadState: master ? 1 : -1,
    SlaveIORunningText: master ? 'Yes' : '',
    UsingMariaDBGTID: !!master,
    ReadBinlogCoordinates: { LogFile: 'mysql-bin.000002', LogPos: 99, Type: 'BinaryLog' },
    ExecBinlogCoordinates: { LogFile: 'mysql-bin.000002', LogPos: 98, Type: 'BinaryLog' },
    RelaylogCoordinates: { LogFile: 'relay.000001', LogPos: 7, Type: 'RelayLog' },
    LastIOError: master ? 'error connecting to master' : '',
    LastIOErrno: master ? 2003 : 0,
    SecondsBehindMaster: master ? { Int64: 3, Valid: true } : { Int64: 0, Valid: false },
    ReplicationLagSeconds: master ? { Int64: 3, Valid: true } : { Int64: 0, Valid: false },
    ExecutedGtidSet: '0-1-100',
    MariaDBGtidCurrentPos: '0-1-100',
    Replicas: master ? [] : [{ Hostname: 'r1', Port: 3306 }],
    ClusterName: master ? `${master.Hostname}:${master.Port}` : `${host}:${port}`,
    DataCenter: 'dc1',
    Region: 'eu',
    ReplicationDepth: master ? 1 : 0,
    SemiSyncMasterTimeout: 10000,
    LastSeenTimestamp: at,
    LastCheckedTimestamp: at,
    LastAttemptedCheckTimestamp: at,
    AllowTLS: true,
    Problems: [],
  });
  return i;
}
