// The store adapter contract: thin wrappers over one KV service each (ZooKeeper, etcd, Consul).
import type { KVPair } from './pairs.js';

/**
 * One external KV store. Implementations only translate to their service; retries, ordering and
 * leadership are the publisher's business.
 */
export interface KVStore {
  /** `zookeeper`, `etcd`, `consul` or `consul-txn`: used in reports and logs. */
  readonly name: string;
  /**
   * Writes every pair (creating missing keys and parents). Pairs of one call are written together
   * where the service allows it (one ZooKeeper multi, one etcd transaction, one Consul transaction
   * with consul-txn); rejects when any pair was not written.
   */
  put(pairs: readonly KVPair[]): Promise<void>;
  /**
   * Current values of `keys`; a missing key is absent from the map. With Consul's cross-datacenter
   * distribution a key is present only when every datacenter holds the same value.
   */
  get(keys: readonly string[]): Promise<Map<string, string>>;
  /** Releases connections; the store cannot be used afterwards. */
  close(): Promise<void>;
}

/** Rejected when a store operation takes longer than its deadline. */
export class KVTimeoutError extends Error {
  readonly code = 'KV_TIMEOUT';
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = 'KVTimeoutError';
  }
}

/** A store operation failed; `cause` is the service's or client library's error. */
export class KVStoreError extends Error {
  readonly code = 'KV_STORE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KVStoreError';
  }
}

/** Resolves or rejects like `p`, or rejects with KVTimeoutError after `ms`. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new KVTimeoutError(what, ms)), ms);
    timer.unref?.();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
