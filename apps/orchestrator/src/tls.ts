// TLS material from the config: the HTTPS server (UseSSL, UseMutualTLS), the client side of
// node→leader calls (proxying, health reports), and the raft port (RaftTLS* keys).
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TlsOptions } from '@orchestrator/consensus';
import type { OrchestratorConfig } from './config/index.js';

const read = (file: string) => (file === '' ? undefined : readFileSync(file));

/** Options for https.createServer, or undefined when UseSSL is off. */
export function httpsServerOptions(config: OrchestratorConfig) {
  if (!config.UseSSL) return undefined;
  return {
    cert: read(config.SSLCertFile),
    key: read(config.SSLPrivateKeyFile),
    ca: read(config.SSLCAFile),
    requestCert: config.UseMutualTLS,
    rejectUnauthorized: config.UseMutualTLS,
  };
}

/** What this node presents and trusts when it calls another node's HTTPS API. */
export function httpsClientOptions(config: OrchestratorConfig) {
  return {
    ca: read(config.SSLCAFile),
    cert: config.UseMutualTLS ? read(config.SSLCertFile) : undefined,
    key: config.UseMutualTLS ? read(config.SSLPrivateKeyFile) : undefined,
    rejectUnauthorized: !config.SSLSkipVerify,
  };
}

export function raftTls(config: OrchestratorConfig): TlsOptions | undefined {
  if (config.RaftTLSCertFile === '') return undefined;
  return {
    certFile: config.RaftTLSCertFile,
    keyFile: config.RaftTLSKeyFile,
    caFile: config.RaftTLSCAFile || undefined,
    requireClientCert: config.RaftTLSRequireClientCert,
  };
}

export interface NodeGetOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  tls: ReturnType<typeof httpsClientOptions>;
}

/** A GET to another node (http or https with the config's TLS), resolving with the status code. */
export async function getStatus(url: string, options: NodeGetOptions): Promise<number> {
  return (await nodeGet(url, options, false)).status;
}

/** A GET to another node, resolving with the status and the body parsed as JSON (undefined when it is not JSON). */
export function getJson(url: string, options: NodeGetOptions): Promise<{ status: number; body: unknown }> {
  return nodeGet(url, options, true);
}

function nodeGet(
  url: string,
  options: NodeGetOptions,
  readBody: boolean,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const https = url.startsWith('https:');
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: 'GET',
      headers: options.headers,
      timeout: options.timeoutMs,
      ...(https ? options.tls : {}),
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (!readBody) {
        res.resume();
        resolve({ status, body: undefined });
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        resolve({ status, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Basic-auth headers for calls to another node, when the API requires credentials. */
export function nodeAuthHeaders(config: OrchestratorConfig): Record<string, string> {
  if (config.AuthenticationMethod !== 'basic' && config.AuthenticationMethod !== 'multi') return {};
  return {
    authorization: `Basic ${Buffer.from(`${config.HTTPAuthUser}:${config.HTTPAuthPassword}`).toString('base64')}`,
  };
}
