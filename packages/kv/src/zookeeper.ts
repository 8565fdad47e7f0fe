// ZooKeeper adapter on node-zookeeper-client (pure JavaScript, loaded on first use). Keys become
// absolute znode paths (`mysql/master/main` → `/mysql/master/main`, as the reference normalises
// them); missing parents are created empty; the values of one put are set in one multi, so a
// reader never sees a cluster's keys half-updated.
import type { Client } from 'node-zookeeper-client';
import type { HostPort } from './config.js';
import type { KVPair } from './pairs.js';
import { type KVStore, KVStoreError, withDeadline } from './store.js';

type ZkModule = typeof import('node-zookeeper-client');

let zkModule: Promise<ZkModule> | undefined;
/** node-zookeeper-client is imported by the first store that needs it, never at start-up. */
function loadZk(): Promise<ZkModule> {
  zkModule ??= import('node-zookeeper-client').then(
    (m) => ((m as { default?: ZkModule }).default ?? m) as ZkModule,
  );
  return zkModule;
}

export interface ZooKeeperStoreOptions {
  servers: readonly HostPort[];
  /** ZooKeeper session timeout. Default 10 000 ms. */
  sessionTimeoutMs?: number;
  /** Bound on connecting and on each operation. Default 5 000 ms. */
  operationTimeoutMs?: number;
}

/** `/`-prefixed znode path of a key (leading slashes collapsed into one). */
export function znodePath(key: string): string {
  return `/${key.replace(/^\/+/, '')}`;
}

export class ZooKeeperStore implements KVStore {
  readonly name = 'zookeeper';
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private closed = false;
  private readonly connectionString: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: ZooKeeperStoreOptions) {
    this.connectionString = options.servers.map((s) => `${s.host}:${s.port}`).join(',');
    this.timeoutMs = options.operationTimeoutMs ?? 5000;
  }

  async put(pairs: readonly KVPair[]): Promise<void> {
    if (pairs.length === 0) return;
    await this.run('put', async (client) => {
      for (const pair of pairs) await call<string>((cb) => client.mkdirp(znodePath(pair.Key), cb));
      const tx = client.transaction();
      for (const pair of pairs) tx.setData(znodePath(pair.Key), Buffer.from(pair.Value, 'utf8'));
      await call<unknown>((cb) => tx.commit(cb));
    });
  }

  async get(keys: readonly string[]): Promise<Map<string, string>> {
    const { Exception } = await loadZk();
    return this.run('get', async (client) => {
      const out = new Map<string, string>();
      for (const key of keys) {
        try {
          const data = await call<Buffer>((cb) => client.getData(znodePath(key), cb));
          out.set(key, data ? data.toString('utf8') : '');
        } catch (error) {
          if ((error as { getCode?: () => number }).getCode?.() !== Exception.NO_NODE) throw error;
        }
      }
      return out;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reset();
  }

  /** Runs `op` on a connected client, bounded; any failure drops the client so the next call reconnects. */
  private async run<T>(what: string, op: (client: Client) => Promise<T>): Promise<T> {
    if (this.closed) throw new KVStoreError('the ZooKeeper store is closed');
    try {
      const client = await this.connection();
      return await withDeadline(op(client), this.timeoutMs, `ZooKeeper ${what} on ${this.connectionString}`);
    } catch (error) {
      this.reset();
      throw new KVStoreError(`ZooKeeper ${what} failed: ${describe(error)}`, { cause: error });
    }
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const zk = await loadZk();
    const client = zk.createClient(this.connectionString, {
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      spinDelay: 200,
      retries: 1,
    });
    const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
    client.connect();
    try {
      await withDeadline(connected, this.timeoutMs, `connecting to ZooKeeper at ${this.connectionString}`);
    } catch (error) {
      client.close();
      throw error;
    }
    // A lost session or connection: start afresh next time rather than queue behind the library's reconnects.
    client.once('disconnected', () => this.client === client && this.reset());
    client.once('expired', () => this.client === client && this.reset());
    if (this.closed) {
      client.close();
      throw new KVStoreError('the ZooKeeper store is closed');
    }
    this.client = client;
    return client;
  }

  private reset(): void {
    const client = this.client;
    this.client = undefined;
    client?.close();
  }
}

/** Adapts the library's (error, result) callbacks. */
function call<T>(start: (cb: (error: unknown, result: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((error, result) => (error ? reject(error) : resolve(result)));
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
