// Reverse proxy from a follower to the leader's HTTP URL over keep-alive connections (§1.9).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Context } from 'koa';
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

/** Responses up to this size are buffered and written at once; larger ones stream. */
const BUFFER_LIMIT = 1024 * 1024;

export interface LeaderProxy {
  /**
   * Answers `ctx` with the leader's answer. `quickRead`: a GET of a route that only reads and
   * answers fast (the cacheable views), which may share a pipelined connection with others.
   */
  forward(ctx: Context, leaderURI: string, quickRead?: boolean, idempotent?: boolean): Promise<void>;
  /**
   * The same without Koa, for a leader at a plain http:// URI (the caller checks): answers `res`
   * and resolves with the status, or rejects with a LEADER_UNREACHABLE ApiError having written nothing.
   */
  forwardPlain(
    req: IncomingMessage,
    res: ServerResponse,
    leaderURI: string,
    quickRead: boolean,
    idempotent?: boolean,
  ): Promise<number>;
  close(): void;
}

export function createLeaderProxy(o: ResolvedApiOptions): LeaderProxy {
  const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 256, maxFreeSockets: 64 };
  const httpAgent = new http.Agent({ ...agentOptions, scheduling: 'lifo' });
  const httpsAgent = new https.Agent({ ...agentOptions, scheduling: 'lifo', ...(o.proxyTls ?? {}) });

  const raw = new RawHttpPool(o.proxyTimeoutMs);
  const pipelined = new PipelinedHttpPool(o.proxyTimeoutMs);

  /** Plain http over the raw clients: the request as one string out, the whole answer back. */
  async function fetchRaw(
    req: IncomingMessage,
    target: URL,
    leaderURI: string,
    quickRead: boolean,
    idempotent: boolean,
  ): Promise<RawResponse> {
    let head = `${req.method} ${req.url} HTTP/1.1\r\nHost: ${target.host}\r\n`;
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
      const port = target.port === '' ? 80 : Number(target.port);
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const isHead = req.method === 'HEAD';
      if (quickRead && req.method === 'GET') return await pipelined.request(host, port, head, isHead);
      return await raw.request(host, port, head, isHead, idempotent);
    } catch (err) {
      throw unreachable(leaderURI, (err as Error).message);
    }
  }

  /** Writes the leader's answer, minus hop-by-hop headers, as one write. */
  function writeRaw(req: IncomingMessage, out: ServerResponse, answer: RawResponse): void {
    const headers: string[] = [];
    for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) {
      const name = answer.rawHeaders[i] as string;
      const lower = name.toLowerCase();
      if (!DROP_RESPONSE.has(lower) && lower !== 'content-length')
        headers.push(name, answer.rawHeaders[i + 1] as string);
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
    async forwardPlain(req, res, leaderURI, quickRead, idempotent = true) {
      const answer = await fetchRaw(req, new URL(leaderURI), leaderURI, quickRead, idempotent);
      writeRaw(req, res, answer);
      return answer.status;
    },
    forward(ctx, leaderURI, quickRead = false, idempotent = true) {
      let target: URL;
      try {
        target = new URL(leaderURI);
      } catch {
        return Promise.reject(unreachable(leaderURI, 'the leader URI is not a valid URL'));
      }
      const secure = target.protocol === 'https:';
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(ctx.req.headers)) {
        if (value !== undefined && !DROP_REQUEST.has(name)) headers[name] = value;
      }
      headers.host = target.host;
      headers[PROXIED_HEADER] = o.ownURL === '' ? '1' : o.ownURL;
      const forwardedFor = ctx.req.headers['x-forwarded-for'];
      const peer = ctx.req.socket.remoteAddress ?? '';
      headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${peer}` : peer;

      if (!secure) {
        return fetchRaw(ctx.req, target, leaderURI, quickRead, idempotent).then((answer) => {
          ctx.respond = false;
          ctx.status = answer.status;
          writeRaw(ctx.req, ctx.res, answer);
        });
      }
      return new Promise<void>((resolve, reject) => {
        const upstream = (secure ? https : http).request(
          {
            protocol: target.protocol,
            hostname: target.hostname,
            port: target.port,
            method: ctx.method,
            path: ctx.originalUrl,
            headers,
            agent: secure ? httpsAgent : httpAgent,
            timeout: o.proxyTimeoutMs,
          },
          (res) => {
            // Written straight to the socket, bypassing Koa's response handling: on a follower
            // this path is the whole request, and every avoided copy and syscall counts.
            const status = res.statusCode ?? 502;
            const raw = res.rawHeaders;
            const head: string[] = [];
            for (let i = 0; i + 1 < raw.length; i += 2) {
              const name = raw[i] as string;
              if (!DROP_RESPONSE.has(name.toLowerCase())) head.push(name, raw[i + 1] as string);
            }
            ctx.respond = false;
            ctx.status = status;
            const out = ctx.res;
            res.on('error', () => out.destroy());
            const length = Number(res.headers['content-length'] ?? Number.NaN);
            if (!(length <= BUFFER_LIMIT)) {
              out.writeHead(status, head);
              res.pipe(out);
              res.on('end', () => resolve());
              return;
            }
            // Small answers go out as one write: headers and body together.
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              out.writeHead(status, head);
              out.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
              resolve();
            });
          },
        );
        upstream.on('timeout', () => upstream.destroy(new Error(`no answer within ${o.proxyTimeoutMs} ms`)));
        upstream.on('error', (err) => reject(unreachable(leaderURI, err.message)));
        upstream.end();
      });
    },
    close() {
      raw.close();
      pipelined.close();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function unreachable(leaderURI: string, why: string): ApiError {
  return new ApiError('LEADER_UNREACHABLE', 503, `raft leader at ${clip(leaderURI)} is unreachable: ${why}`, {
    LeaderURI: leaderURI,
  });
}
