// Consul adapter on Consul's documented HTTP API (no client library: it is a handful of requests):
// - `consul`: PUT /v1/kv/<key> with the raw value as body, answered `true`;
// - `consul-txn`: PUT /v1/txn with `[{"KV":{"Verb":"set","Key":…,"Value":<base64>}}, …]`, answered
//   200 when applied and 409 with `Errors: [{OpIndex, What}]` when rolled back; a cluster's keys go
//   in one transaction, transactions hold at most ConsulMaxKVsPerTransaction operations;
// - reads: GET /v1/kv/<key> (a JSON array whose Value is base64; 404 when the key does not exist);
// - ConsulAclToken is sent as the X-Consul-Token header;
// - ConsulCrossDataCenterDistribution: GET /v1/catalog/datacenters, then every request once per
//   datacenter with ?dc=<name> (each datacenter has its own KV store).
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { HostPort } from './config.js';
import { clusterGroupOf, type KVPair } from './pairs.js';
import { type KVStore, KVStoreError, withDeadline } from './store.js';

export interface ConsulStoreOptions {
  address: HostPort;
  scheme: 'http' | 'https';
  /** '' sends no token. */
  aclToken: string;
  provider: 'consul' | 'consul-txn';
  crossDataCenter: boolean;
  /** consul-txn: operations per transaction (5–64). */
  maxKVsPerTransaction: number;
  /** KVClusterMasterPrefix: groups a cluster's keys into one transaction. */
  prefix: string;
  /** Bound on each HTTP request. Default 5 000 ms. */
  requestTimeoutMs?: number;
}

interface Response {
  status: number;
  body: string;
}

export class ConsulStore implements KVStore {
  readonly name: string;
  private readonly agent: HttpAgent;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(private readonly o: ConsulStoreOptions) {
    this.name = o.provider;
    this.agent =
      o.scheme === 'https' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.timeoutMs = o.requestTimeoutMs ?? 5000;
  }

  async put(pairs: readonly KVPair[]): Promise<void> {
    if (pairs.length === 0) return;
    for (const dc of await this.datacenters()) {
      if (this.o.provider === 'consul-txn') {
        for (const batch of transactionBatches(pairs, this.o.prefix, this.o.maxKVsPerTransaction)) {
          await this.txnSet(batch, dc);
        }
      } else {
        for (const pair of pairs) await this.kvPut(pair, dc);
      }
    }
  }

  async get(keys: readonly string[]): Promise<Map<string, string>> {
    const dcs = await this.datacenters();
    const out = new Map<string, string>();
    for (const key of keys) {
      let agreed: string | undefined;
      let same = true;
      for (const [i, dc] of dcs.entries()) {
        const value = await this.kvGet(key, dc);
        if (value === undefined || (i > 0 && value !== agreed)) {
          same = false;
          break;
        }
        agreed = value;
      }
      if (same && agreed !== undefined) out.set(key, agreed);
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.agent.destroy();
  }

  /** [undefined] (the agent's own datacenter), or every datacenter of the catalog. */
  private async datacenters(): Promise<(string | undefined)[]> {
    if (!this.o.crossDataCenter) return [undefined];
    const r = await this.request('GET', '/v1/catalog/datacenters');
    if (r.status !== 200) throw this.failure('GET /v1/catalog/datacenters', r);
    const list = parseJson(r.body, 'GET /v1/catalog/datacenters');
    if (!Array.isArray(list) || list.some((d) => typeof d !== 'string') || list.length === 0) {
      throw new KVStoreError(`Consul: GET /v1/catalog/datacenters answered ${r.body.slice(0, 200)}`);
    }
    return list as string[];
  }

  private async kvPut(pair: KVPair, dc: string | undefined): Promise<void> {
    const path = withDc(`/v1/kv/${keyPath(pair.Key)}`, dc);
    const r = await this.request('PUT', path, Buffer.from(pair.Value, 'utf8'));
    if (r.status !== 200 || r.body.trim() !== 'true') throw this.failure(`PUT ${path}`, r);
  }

  private async kvGet(key: string, dc: string | undefined): Promise<string | undefined> {
    const path = withDc(`/v1/kv/${keyPath(key)}`, dc);
    const r = await this.request('GET', path);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw this.failure(`GET ${path}`, r);
    const entries = parseJson(r.body, `GET ${path}`) as { Key?: string; Value?: string | null }[];
    const entry = Array.isArray(entries) ? entries.find((e) => e.Key === key.replace(/^\/+/, '')) : undefined;
    if (entry === undefined) return undefined;
    return entry.Value == null ? '' : Buffer.from(entry.Value, 'base64').toString('utf8');
  }

  private async txnSet(pairs: readonly KVPair[], dc: string | undefined): Promise<void> {
    const ops = pairs.map((p) => ({
      KV: {
        Verb: 'set',
        Key: p.Key.replace(/^\/+/, ''),
        Value: Buffer.from(p.Value, 'utf8').toString('base64'),
      },
    }));
    const path = withDc('/v1/txn', dc);
    const r = await this.request('PUT', path, Buffer.from(JSON.stringify(ops)), 'application/json');
    if (r.status === 200) return;
    if (r.status === 409) {
      const body = parseJson(r.body, `PUT ${path}`) as { Errors?: { OpIndex?: number; What?: string }[] };
      const what = (body.Errors ?? [])
        .map((e) => `${ops[e.OpIndex ?? -1]?.KV.Key ?? `op ${e.OpIndex}`}: ${e.What ?? '?'}`)
        .join('; ');
      throw new KVStoreError(`Consul: transaction rolled back (${what || 'no reason given'})`);
    }
    throw this.failure(`PUT ${path}`, r);
  }

  private failure(what: string, r: Response): KVStoreError {
    return new KVStoreError(`Consul: ${what} answered ${r.status}: ${r.body.trim().slice(0, 200)}`);
  }

  private request(method: string, path: string, body?: Buffer, type?: string): Promise<Response> {
    if (this.closed) return Promise.reject(new KVStoreError('the Consul store is closed'));
    const { host, port } = this.o.address;
    const headers: Record<string, string> = {};
    if (this.o.aclToken !== '') headers['X-Consul-Token'] = this.o.aclToken;
    if (body !== undefined) {
      headers['Content-Length'] = String(body.length);
      if (type) headers['Content-Type'] = type;
    }
    const send = this.o.scheme === 'https' ? httpsRequest : httpRequest;
    const done = new Promise<Response>((resolve, reject) => {
      const req = send({ host, port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.end(body);
    });
    return withDeadline(done, this.timeoutMs + 100, `Consul ${method} ${path}`).catch((error: unknown) => {
      if (error instanceof KVStoreError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new KVStoreError(`Consul: ${method} ${path} at ${host}:${port} failed: ${message}`, {
        cause: error,
      });
    });
  }
}

/** The key as a URL path: leading slashes dropped (as Consul's own client does), each segment escaped. */
export function keyPath(key: string): string {
  return key
    .replace(/^\/+/, '')
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function withDc(path: string, dc: string | undefined): string {
  return dc === undefined ? path : `${path}?dc=${encodeURIComponent(dc)}`;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new KVStoreError(`Consul: ${what} answered something that is not JSON: ${text.slice(0, 200)}`);
  }
}

/**
 * consul-txn batches: a cluster's keys stay in one transaction (its group), groups are packed into
 * transactions of at most `max` operations; a group larger than `max` is split.
 */
export function transactionBatches(pairs: readonly KVPair[], prefix: string, max: number): KVPair[][] {
  const groups = new Map<string, KVPair[]>();
  for (const pair of pairs) {
    const group = clusterGroupOf(prefix, pair.Key);
    const list = groups.get(group);
    if (list) list.push(pair);
    else groups.set(group, [pair]);
  }
  const batches: KVPair[][] = [];
  let current: KVPair[] = [];
  for (const group of groups.values()) {
    if (current.length > 0 && current.length + group.length > max) {
      batches.push(current);
      current = [];
    }
    for (const pair of group) {
      if (current.length === max) {
        batches.push(current);
        current = [];
      }
      current.push(pair);
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
