// The route table's types and the matcher (our own: a segment trie with literal-over-parameter
// precedence, matching the reference's gorilla/mux order). Routes are declared as data, each with
// its policy (`kind`: leader, proxied or local), idempotence and auth; the app decides forwarding
// (forwarding.ts), leader checks and auth from them, so handlers only read, propose or answer.
import type { ApiDeps } from './deps.js';
import { badParameter } from './errors.js';
import type { ResolvedApiOptions } from './options.js';

/**
 * - `proxied`: a read; a follower forwards it to the leader when one is known (reference kind R).
 * - `write`: mutating; runs only on the leader, followers forward it (kind W). Never applied on a
 *   follower: a non-leader asked to run it answers 500 "Unauthorized".
 * - `local`: always answered by this node (reference kind L and the no-proxy routes of §1.9).
 */
export type RouteKind = 'proxied' | 'write' | 'local';

/** `none`: reachable without credentials; `read`: any authenticated user; `write`: a writer. */
export type AuthLevel = 'none' | 'read' | 'write';

export interface RouteRequest {
  /** Path parameters, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The authenticated user, '' when authentication is off. */
  readonly user: string;
  /** The request's headers as Node parsed them (names lower-case); {} where there is no request. */
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  readonly deps: ApiDeps;
  readonly options: ResolvedApiOptions;
}

export type RouteHandler = (req: RouteRequest) => unknown;

export interface RouteDef {
  /** Metrics label and documentation name. */
  name: string;
  /** Patterns relative to `<URLPrefix>/api/`, e.g. `instance/:host/:port`; synonyms listed here too. */
  paths: string[];
  kind: RouteKind;
  /** Defaults to `write` for write routes and `read` otherwise. */
  auth?: AuthLevel;
  /** Resolves with the 200 body, or a `Reply` for another status; throws ApiError for errors. */
  handler: RouteHandler;
  /**
   * The 200 body depends only on the store's data (and the URL): it may be served from the read
   * cache while nothing was written (see ApiOptions.readCache).
   */
  cacheable?: boolean;
  /**
   * May a follower send this request to the leader a second time, when a kept connection turns
   * out closed and it cannot tell whether the leader acted? Default: reads (`proxied`) yes, writes
   * no (this API's GETs change state: a takeover must never run twice).
   */
  idempotent?: boolean;
  /**
   * Set on a deliberate refusal: a reference route this orchestrator does not serve, answered with
   * 500 and this reason (never a bare 404), listed in the README.
   */
  refused?: string;
}

type Segment = { literal: string } | { param: string };

interface Compiled {
  route: RouteDef;
  pattern: string;
  segments: Segment[];
  /** 0 for a literal, 1 for a parameter: literals win over parameters at the first difference. */
  rank: string;
}

export interface RouteMatch {
  route: RouteDef;
  params: Record<string, string>;
}

export class RouteTableError extends Error {
  readonly code = 'ROUTE_TABLE';
}

/** Matches decoded-on-demand path segments against the table; buckets by first segment and length. */
export class RouteTable {
  private readonly buckets = new Map<string, Compiled[]>();
  readonly routes: readonly RouteDef[];

  constructor(routes: readonly RouteDef[]) {
    this.routes = routes;
    const shapes = new Map<string, string>();
    for (const route of routes) {
      for (const pattern of route.paths) {
        const segments = pattern
          .split('/')
          .map((s): Segment => (s.startsWith(':') ? { param: s.slice(1) } : { literal: s }));
        const first = segments[0];
        if (
          first === undefined ||
          !('literal' in first) ||
          segments.some((s) => 'literal' in s && s.literal === '')
        ) {
          throw new RouteTableError(`route ${route.name}: bad pattern ${JSON.stringify(pattern)}`);
        }
        const shape = segments.map((s) => ('literal' in s ? s.literal : ':')).join('/');
        const other = shapes.get(shape);
        if (other !== undefined) {
          throw new RouteTableError(`route ${route.name}: pattern ${pattern} collides with route ${other}`);
        }
        shapes.set(shape, route.name);
        const key = `${first.literal}/${segments.length}`;
        const bucket = this.buckets.get(key) ?? [];
        bucket.push({
          route,
          pattern,
          segments,
          rank: segments.map((s) => ('literal' in s ? '0' : '1')).join(''),
        });
        bucket.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
        this.buckets.set(key, bucket);
      }
    }
  }

  /** `segments` are raw (still percent-encoded); parameters are decoded here, errors name them. */
  match(segments: readonly string[]): RouteMatch | null {
    const bucket = this.buckets.get(`${segments[0]}/${segments.length}`);
    if (bucket === undefined) return null;
    for (const candidate of bucket) {
      if (!candidate.segments.every((s, i) => !('literal' in s) || s.literal === segments[i])) continue;
      const params: Record<string, string> = {};
      candidate.segments.forEach((s, i) => {
        if ('param' in s) params[s.param] = decodeSegment(segments[i] ?? '', s.param);
      });
      return { route: candidate.route, params };
    }
    return null;
  }
}

function decodeSegment(raw: string, param: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badParameter(param, 'malformed percent-encoding', raw);
  }
}
