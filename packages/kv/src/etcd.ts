// etcd v3 adapter on the etcd3 client (gRPC; loaded on first use). Keys are written as they are
// (`mysql/master/main`, no leading slash, like Consul); the pairs of one put go in one transaction.
import type { Etcd3 } from 'etcd3';
import type { KVPair } from './pairs.js';
import { type KVStore, KVStoreError, withDeadline } from './store.js';

type EtcdModule = typeof import('etcd3');

let etcdModule: Promise<EtcdModule> | undefined;
/** etcd3 (and its gRPC stack) is imported by the first store that needs it, never at start-up. */
function loadEtcd(): Promise<EtcdModule> {
  etcdModule ??= import('etcd3');
  return etcdModule;
}

export interface EtcdStoreOptions {
  /** `http(s)://host:port` URLs (parseEtcdEndpoint normalises them). */
  endpoints: readonly string[];
  /** Bound on each operation, connecting included. Default 5 000 ms. */
  operationTimeoutMs?: number;
}

export class EtcdStore implements KVStore {
  readonly name = 'etcd';
  private client: Promise<Etcd3> | undefined;
  private closed = false;
  private readonly timeoutMs: number;

  constructor(private readonly options: EtcdStoreOptions) {
    this.timeoutMs = options.operationTimeoutMs ?? 5000;
  }

  async put(pairs: readonly KVPair[]): Promise<void> {
    const [first] = pairs;
    if (first === undefined) return;
    await this.run('put', async (client, deadline) => {
      // A comparison that always holds (every key's version is ≥ 0): the puts run as one transaction.
      await client
        .if(first.Key, 'Version', '>', -1)
        .then(...pairs.map((p) => client.put(p.Key).value(p.Value)))
        .options({ deadline })
        .commit();
    });
  }

  async get(keys: readonly string[]): Promise<Map<string, string>> {
    return this.run('get', async (client, deadline) => {
      const out = new Map<string, string>();
      for (const key of keys) {
        const value = await client.get(key).options({ deadline }).string();
        if (value !== null) out.set(key, value);
      }
      return out;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    (await client?.catch(() => undefined))?.close();
  }

  private async run<T>(what: string, op: (client: Etcd3, deadline: Date) => Promise<T>): Promise<T> {
    if (this.closed) throw new KVStoreError('the etcd store is closed');
    const deadline = new Date(Date.now() + this.timeoutMs);
    try {
      const client = await this.connection();
      return await withDeadline(
        op(client, deadline),
        this.timeoutMs,
        `etcd ${what} on ${this.options.endpoints.join(',')}`,
      );
    } catch (error) {
      throw new KVStoreError(
        `etcd ${what} failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  private connection(): Promise<Etcd3> {
    this.client ??= loadEtcd().then(
      ({ Etcd3 }) =>
        new Etcd3({
          hosts: [...this.options.endpoints],
          // The library's own retries (3, on recoverable errors) stay within each call's deadline;
          // the publisher retries a failed call with its own backoff.
          dialTimeout: this.timeoutMs,
        }),
    );
    return this.client;
  }
}
