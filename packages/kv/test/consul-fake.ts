// A small Consul agent for tests, implementing the documented HTTP API the Consul store uses (no
// Consul server can be installed on these machines):
// - PUT /v1/kv/<key>[?dc=]: the body is the raw value; answers `true`;
// - GET /v1/kv/<key>[?dc=]: `[{"Key","Value"(base64),"Flags","CreateIndex","ModifyIndex","LockIndex"}]`, 404 when missing;
// - PUT /v1/txn[?dc=]: `[{"KV":{"Verb","Key","Value"(base64)}}]`, at most 64 operations; 200 with
//   `{"Results":[{"KV":…}],"Errors":null}`, or 409 with `{"Results":null,"Errors":[{"OpIndex","What"}]}` (rolled back);
// - GET /v1/catalog/datacenters: the datacenter names;
// - ACLs: with a token configured, a request without `X-Consul-Token: <token>` gets 403 "Permission denied".
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface FakeConsulOptions {
  datacenters?: string[];
  /** Required X-Consul-Token; '' = ACLs off. */
  token?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  dc: string;
  token: string | undefined;
  body: string;
}

export class FakeConsul {
  /** Per datacenter: key → value. The first datacenter is the agent's own. */
  readonly kv = new Map<string, Map<string, string>>();
  readonly requests: RecordedRequest[] = [];
  /** While set, every request is answered with this status (a failing agent). */
  failWith: number | undefined;
  private index = 1;
  private server: Server | undefined;
  port = 0;

  constructor(private readonly o: FakeConsulOptions = {}) {
    for (const dc of this.datacenters) this.kv.set(dc, new Map());
  }

  get datacenters(): string[] {
    return this.o.datacenters ?? ['dc1'];
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The agent's own datacenter's store, or `dc`'s. */
  store(dc?: string): Map<string, string> {
    return this.kv.get(dc ?? this.datacenters[0]!)!;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        res.writeHead(status, {
          'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json',
        });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? '/', 'http://consul');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const token = req.headers['x-consul-token'] as string | undefined;
    const dc = url.searchParams.get('dc') ?? this.datacenters[0]!;
    this.requests.push({ method: req.method ?? '', path: url.pathname, dc, token, body });
    if (this.failWith !== undefined) return { status: this.failWith, body: 'failing on purpose' };
    if (this.o.token && token !== this.o.token) return { status: 403, body: 'Permission denied' };
    const store = this.kv.get(dc);
    if (url.pathname === '/v1/catalog/datacenters' && req.method === 'GET') {
      return { status: 200, body: this.datacenters };
    }
    if (!store) return { status: 500, body: `No path to datacenter` };
    if (url.pathname.startsWith('/v1/kv/')) {
      const key = decodeURIComponent(url.pathname.slice('/v1/kv/'.length));
      if (req.method === 'PUT') {
        store.set(key, body);
        this.index++;
        return { status: 200, body: true };
      }
      if (req.method === 'GET') {
        const value = store.get(key);
        if (value === undefined) return { status: 404, body: '' };
        return { status: 200, body: [this.entry(key, value)] };
      }
    }
    if (url.pathname === '/v1/txn' && req.method === 'PUT') {
      let ops: { KV?: { Verb?: string; Key?: string; Value?: string } }[];
      try {
        ops = JSON.parse(body);
      } catch {
        return { status: 400, body: 'Failed to parse body' };
      }
      if (!Array.isArray(ops)) return { status: 400, body: 'Failed to parse body' };
      if (ops.length > 64)
        return { status: 413, body: `Transaction contains too many operations (${ops.length} > 64)` };
      const errors = ops.flatMap((op, i) =>
        op.KV?.Verb !== 'set' || !op.KV.Key
          ? [{ OpIndex: i, What: `unsupported operation ${JSON.stringify(op)}` }]
          : [],
      );
      if (errors.length > 0) return { status: 409, body: { Results: null, Errors: errors } };
      const results = ops.map((op) => {
        const value = Buffer.from(op.KV!.Value ?? '', 'base64').toString('utf8');
        store.set(op.KV!.Key!, value);
        return { KV: { ...this.entry(op.KV!.Key!, value), Value: null } };
      });
      this.index++;
      return { status: 200, body: { Results: results, Errors: null } };
    }
    return { status: 404, body: 'not found' };
  }

  private entry(key: string, value: string) {
    return {
      LockIndex: 0,
      Key: key,
      Flags: 0,
      Value: Buffer.from(value, 'utf8').toString('base64'),
      CreateIndex: this.index,
      ModifyIndex: this.index,
    };
  }
}
