// The reference's meta routes: headers, reload-configuration, the hostname resolve cache and
// resolve (a TCP check of an instance's port).
import { connect } from 'node:net';
import { okEnvelope } from '../envelope.js';
import { failed } from '../errors.js';
import { parseKey, parseText } from '../params.js';
import type { RouteDef } from '../route.js';
import { keyString } from './helpers.js';

/** How long `resolve` waits for the TCP handshake (the reference's MySQLConnectTimeoutSeconds default). */
const RESOLVE_TIMEOUT_MS = 2000;

/** Credentials are not echoed back, even to their sender: responses end up in logs and terminals. */
const REDACTED = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** `x-forwarded-for` → `X-Forwarded-For`, as Go's http.Header names them. */
function canonicalHeader(name: string): string {
  return name
    .split('-')
    .map((w) => (w === '' ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join('-');
}

/** Go's http.Header JSON: each canonical name → its values. */
export function headersJson(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    out[canonicalHeader(name)] = REDACTED.has(name.toLowerCase()) ? values.map(() => '(redacted)') : values;
  }
  return out;
}

/** Resolves when `host:port` accepts a TCP connection; rejects with the socket's error. */
function tcpCheck(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`dial tcp ${host}:${port}: i/o timeout after ${timeoutMs} ms`));
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });
}

export const metaRoutes: RouteDef[] = [
  {
    // A self-test: the request's headers as this node received them (after any proxy in front of it).
    name: 'headers',
    paths: ['headers'],
    kind: 'local',
    handler: (req) => headersJson(req.headers ?? {}),
  },
  {
    name: 'reload-configuration',
    paths: ['reload-configuration'],
    kind: 'local',
    auth: 'write',
    handler: async (req) => {
      const reloader = req.deps.config;
      if (reloader === undefined)
        throw failed('reload-configuration: this node was started without a config file to reload');
      const extra = req.query.get('config');
      const report = await reloader.reload(
        extra === null || extra === '' ? undefined : parseText(extra, 'config', 4096),
      );
      const parts = [
        report.Applied.length > 0
          ? `applied ${report.Applied.join(', ')}`
          : 'nothing changed that applies now',
      ];
      if (report.RestartRequired.length > 0)
        parts.push(
          `read at start, so these keep their running value until a restart: ${report.RestartRequired.join(', ')}`,
        );
      if (report.Ignored.length > 0) parts.push(`no effect here: ${report.Ignored.join(', ')}`);
      return okEnvelope(`Config reloaded: ${parts.join('; ')}`, report);
    },
  },
  {
    name: 'hostname-resolve-cache',
    paths: ['hostname-resolve-cache'],
    kind: 'local',
    handler: async (req) => {
      const entries = (await req.deps.hostnames?.entries()) ?? {};
      // go-cache's Items() shape: no expiry (0) — a name is replaced when a server reports another.
      const items = Object.fromEntries(
        Object.entries(entries).map(([name, resolved]) => [name, { Object: resolved, Expiration: 0 }]),
      );
      return okEnvelope('Cache retrieved', items);
    },
  },
  {
    name: 'reset-hostname-resolve-cache',
    paths: ['reset-hostname-resolve-cache'],
    kind: 'local',
    auth: 'write',
    handler: async (req) => {
      const cleared = (await req.deps.hostnames?.reset()) ?? 0;
      return okEnvelope('Hostname cache cleared', cleared);
    },
  },
  {
    // The reference dials the instance's port from the node that serves the request (the leader).
    name: 'resolve',
    paths: ['resolve/:host/:port'],
    kind: 'proxied',
    handler: async (req) => {
      const key = parseKey(req.params);
      try {
        await tcpCheck(key.Hostname, key.Port, RESOLVE_TIMEOUT_MS);
      } catch (err) {
        throw failed(`resolve ${keyString(key)}: ${(err as Error).message}`, key);
      }
      return okEnvelope('Instance resolved', key);
    },
  },
];
