// Reverse proxy from a follower to the leader's HTTP URL over keep-alive connections (§1.9): one
// hand-written HTTP/1.1 client family (raw-client.ts, pipelined-client.ts over http-wire.ts and
// dial.ts, http or https). bench/proxy-client-bench.mjs compares it with undici's Pool (see the
// README: on a quiet machine undici was not slower). A request that is not idempotent is never
// sent twice.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { originOf } from './dial.js';
import { ApiError, clip } from './errors.js';
import type { ResolvedApiOptions } from './options.js';
import { PipelinedHttpPool } from './pipelined-client.js';
import { RawHttpPool, type RawResponse } from './raw-client.js';

/** Marks a request a node forwarded, so the receiver never forwards it again (no proxy loops). */
export const PROXIED_HEADER = 'x-orchestrator-proxied';

// Hop-by-hop headers (RFC 9110 §7.6.1) are never forwarded; Accept-Encoding is dropped as the
// reference does, so the leader answers uncompressed and the follower need not re-encode.
const DROP_REQUEST = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'accept-encoding',
  'content-length',
]);
const DROP_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'content-length',
]);

export interface LeaderProxy {
  /**
   * Answers `req` on `res` with the leader's answer and resolves with its status, or rejects with
   * a LEADER_UNREACHABLE ApiError having written nothing. `quickRead`: a GET of a route that only
   * reads and answers fast (the cacheable views), which may share a pipelined connection with
   * others. `idempotent`: may be sent again when a kept connection turns out closed.
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    leaderURI: string,
    quickRead: boolean,
    idempotent: boolean,
  ): Promise<number>;
  close(): void;
}

export function createLeaderProxy(o: ResolvedApiOptions): LeaderProxy {
  const raw = new RawHttpPool(o.proxyTimeoutMs, 256, 64, o.proxyTls);
  const pipelined = new PipelinedHttpPool(o.proxyTimeoutMs, 8, 16, o.proxyTls);

  /** The request as one string out, the whole answer back. */
  async function exchange(
    req: IncomingMessage,
    leaderURI: string,
    quickRead: boolean,
    idempotent: boolean,
  ): Promise<RawResponse> {
    const origin = originOf(leaderURI);
    if (origin === undefined) throw unreachable(leaderURI, 'the leader URI is not an http(s) URL');
    const hostHeader = new URL(leaderURI).host;
    let head = `${req.method} ${req.url} HTTP/1.1\r\nHost: ${hostHeader}\r\n`;
    const rawHeaders = req.rawHeaders;
    let forwardedFor = '';
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i] as string;
      const lower = name.toLowerCase();
      if (lower === 'x-forwarded-for') forwardedFor = rawHeaders[i + 1] as string;
      else if (!DROP_REQUEST.has(lower) && lower !== PROXIED_HEADER)
        head += `${name}: ${rawHeaders[i + 1]}\r\n`;
    }
    const peer = req.socket.remoteAddress ?? '';
    head += `X-Forwarded-For: ${forwardedFor ? `${forwardedFor}, ${peer}` : peer}\r\n`;
    head += `${PROXIED_HEADER}: ${o.ownURL === '' ? '1' : o.ownURL}\r\nConnection: keep-alive\r\n\r\n`;
    try {
      const isHead = req.method === 'HEAD';
      if (quickRead && idempotent && req.method === 'GET')
        return await pipelined.request(origin, head, isHead);
      return await raw.request(origin, head, isHead, idempotent);
    } catch (err) {
      throw unreachable(leaderURI, (err as Error).message);
    }
  }

  /** Writes the leader's answer, minus hop-by-hop headers, as one write. */
  function write(req: IncomingMessage, out: ServerResponse, answer: RawResponse): void {
    const headers: string[] = [];
    for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) {
      const name = answer.rawHeaders[i] as string;
      if (!DROP_RESPONSE.has(name.toLowerCase())) headers.push(name, answer.rawHeaders[i + 1] as string);
    }
    if (req.method === 'HEAD') {
      const length = answer.rawHeaders.findIndex(
        (h, i) => i % 2 === 0 && h.toLowerCase() === 'content-length',
      );
      if (length >= 0) headers.push('Content-Length', answer.rawHeaders[length + 1] as string);
    } else {
      headers.push('Content-Length', String(answer.body.length));
    }
    out.writeHead(answer.status, headers);
    out.end(answer.body);
  }

  return {
    async forward(req, res, leaderURI, quickRead, idempotent) {
      const answer = await exchange(req, leaderURI, quickRead, idempotent);
      write(req, res, answer);
      return answer.status;
    },
    close() {
      raw.close();
      pipelined.close();
    },
  };
}

function unreachable(leaderURI: string, why: string): ApiError {
  return new ApiError('LEADER_UNREACHABLE', 503, `raft leader at ${clip(leaderURI)} is unreachable: ${why}`, {
    LeaderURI: leaderURI,
  });
}
