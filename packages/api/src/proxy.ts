// Reverse proxy from a follower to the leader's HTTP URL over keep-alive connections (§1.9).
import http from 'node:http';
import https from 'node:https';
import type { Context } from 'koa';
import { ApiError, clip } from './errors.js';
import type { ResolvedApiOptions } from './options.js';

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
  forward(ctx: Context, leaderURI: string): Promise<void>;
  close(): void;
}

export function createLeaderProxy(o: ResolvedApiOptions): LeaderProxy {
  const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 256, maxFreeSockets: 64 };
  const httpAgent = new http.Agent({ ...agentOptions, scheduling: 'lifo' });
  const httpsAgent = new https.Agent({ ...agentOptions, scheduling: 'lifo', ...(o.proxyTls ?? {}) });

  return {
    forward(ctx, leaderURI) {
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
