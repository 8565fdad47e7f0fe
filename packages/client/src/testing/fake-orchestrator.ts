// A fake orchestrator raft cluster for contract tests: N HTTP nodes on 127.0.0.1 (port 0), one of
// them the leader. It answers only what a test installs with `routes()`, plus the leader checks and
// raft-state; it records every request. Followers behave like orchestrator's reverse proxy: proxied
// routes are served by the leader's handlers (recorded with `servedBy`), local routes by themselves.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A canned answer: JSON `body` (default) or a raw `text` body. */
export interface FakeResponse {
  status?: number;
  body?: unknown;
  text?: string;
}

export interface RecordedRequest {
  /** Index of the node that received the request. */
  node: number;
  /** Index of the node whose handler answered (differs when a follower proxied). */
  servedBy: number;
  /** Path after `/api/`, each segment URL-decoded; a trailing `/` is kept. */
  path: string;
  query: Record<string, string>;
  /** The request target exactly as sent. */
  url: string;
  headers: IncomingHttpHeaders;
}

/** A route installed by a test: exact `path` (decoded, after /api/) and, when given, exact query. */
export interface FakeRoute {
  path: string;
  query?: Record<string, string>;
  response: FakeResponse | ((req: RecordedRequest) => FakeResponse);
}

export interface FakeClusterOptions {
  nodes?: number;
  /** Index of the leader, or null for none. Default 0. */
  leader?: number | null;
  /** When set, every request needs these basic-auth credentials (else 401). */
  auth?: { user: string; password: string };
  /** How a follower answers a proxied route: proxy to the leader (default) or refuse like a stale one. */
  followerMode?: 'proxy' | 'unauthorized';
}

/** Routes a node answers itself, never proxied (orchestrator §1.9, the ones the client uses). */
const LOCAL_ROUTES = new Set([
  'leader-check',
  'raft-state',
  'raft-leader',
  'raft-health',
  'raft-status',
  'raft-peers',
  'raft-yield',
  'raft-yield-hint',
  'status',
  'health',
  'lb-check',
  '_ping',
]);

function firstSegment(path: string): string {
  return path.split('/', 1)[0] ?? '';
}

/** True for the routes a node answers itself even as a follower (raft state, health, leader-check). */
export function isLocalRoute(path: string): boolean {
  return LOCAL_ROUTES.has(firstSegment(path));
}

function sameQuery(expected: Record<string, string>, actual: Record<string, string>): boolean {
  const keys = Object.keys(expected);
  return keys.length === Object.keys(actual).length && keys.every((k) => actual[k] === expected[k]);
}

export class FakeOrchestratorCluster {
  readonly requests: RecordedRequest[] = [];
  leader: number | null;
  followerMode: 'proxy' | 'unauthorized';
  /** Nodes that accept connections but never answer (to exercise the leader-check timeout). */
  readonly hanging = new Set<number>();
  private readonly servers: (Server | undefined)[] = [];
  private readonly ports: number[] = [];
  private installed: FakeRoute[] = [];
  private readonly auth: FakeClusterOptions['auth'];

  private constructor(options: FakeClusterOptions) {
    this.leader = options.leader === undefined ? 0 : options.leader;
    this.followerMode = options.followerMode ?? 'proxy';
    this.auth = options.auth;
  }

  static async start(options: FakeClusterOptions = {}): Promise<FakeOrchestratorCluster> {
    const cluster = new FakeOrchestratorCluster(options);
    for (let i = 0; i < (options.nodes ?? 3); i++) await cluster.startNode(i, 0);
    return cluster;
  }

  /** `http://127.0.0.1:port` of each node (no /api). */
  get urls(): string[] {
    return this.ports.map((p) => `http://127.0.0.1:${p}`);
  }

  /** `http://127.0.0.1:port/api` of each node. */
  get apiUrls(): string[] {
    return this.urls.map((u) => `${u}/api`);
  }

  /** Replaces the installed routes. */
  routes(routes: FakeRoute[]): void {
    this.installed = [...routes];
  }

  /** Requests other than the leader checks, in arrival order. */
  apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path !== 'leader-check' && r.path !== 'routed-leader-check');
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Stops node `i` (connections refused from now on). */
  async stopNode(i: number): Promise<void> {
    const server = this.servers[i];
    if (!server) return;
    this.servers[i] = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Starts node `i` again on its old port. */
  async restartNode(i: number): Promise<void> {
    if (this.servers[i]) return;
    await this.startNode(i, this.ports[i]!);
  }

  async close(): Promise<void> {
    for (let i = 0; i < this.servers.length; i++) await this.stopNode(i);
  }

  private async startNode(i: number, port: number): Promise<void> {
    const server = createServer((req, res) => this.handle(i, req.url ?? '/', req.headers, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.servers[i] = server;
    this.ports[i] = (server.address() as AddressInfo).port;
  }

  private isUp(i: number): boolean {
    return this.servers[i] !== undefined && !this.hanging.has(i);
  }

  private handle(node: number, url: string, headers: IncomingHttpHeaders, res: ServerResponse): void {
    const parsed = new URL(url, 'http://fake');
    const path = parsed.pathname
      .replace(/^\/api\/?/, '')
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/');
    const query = Object.fromEntries(parsed.searchParams.entries());
    const request: RecordedRequest = { node, servedBy: node, path, query, url, headers };
    this.requests.push(request);
    if (this.hanging.has(node)) return; // never answers; the socket closes with the node
    if (this.auth && !this.authorized(headers.authorization)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="orchestrator"' });
      res.end('401 Unauthorized\n');
      return;
    }
    send(res, this.respond(request));
  }

  private respond(request: RecordedRequest): FakeResponse {
    const name = firstSegment(request.path);
    const leader = this.leader;
    const isLeader = leader === request.node;
    const leaderUp = leader !== null && this.isUp(leader);
    const notLeader = { status: 404, body: 'Not leader' };
    if (name === 'leader-check') return isLeader ? { body: 'OK' } : notLeader;
    if (name === 'routed-leader-check') {
      if (!isLeader && leaderUp) request.servedBy = leader;
      return isLeader || leaderUp ? { body: 'OK' } : notLeader;
    }
    if (!LOCAL_ROUTES.has(name) && !isLeader && leaderUp) {
      if (this.followerMode === 'unauthorized') {
        return { status: 500, body: { Code: 'ERROR', Message: 'Unauthorized', Details: null } };
      }
      request.servedBy = leader;
    }
    return this.answer(request, isLeader);
  }

  private authorized(header: string | undefined): boolean {
    if (!this.auth || header === undefined || !header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    return decoded === `${this.auth.user}:${this.auth.password}`;
  }

  private answer(request: RecordedRequest, isLeader: boolean): FakeResponse {
    const route = this.installed.find(
      (r) => r.path === request.path && (r.query === undefined || sameQuery(r.query, request.query)),
    );
    if (route) return typeof route.response === 'function' ? route.response(request) : route.response;
    if (request.path === 'raft-state') return { body: isLeader ? 'Leader' : 'Follower' };
    return { status: 404, text: '404 page not found\n' };
  }
}

function send(res: ServerResponse, response: FakeResponse): void {
  const status = response.status ?? 200;
  if (response.text !== undefined) {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(response.text);
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(response.body ?? null));
}
