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

/** A GET to another node (http or https with the config's TLS), resolving with the status code. */
export function getStatus(
  url: string,
  options: {
    headers?: Record<string, string>;
    timeoutMs: number;
    tls: ReturnType<typeof httpsClientOptions>;
  },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const https = url.startsWith('https:');
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: 'GET',
      headers: options.headers,
      timeout: options.timeoutMs,
      ...(https ? options.tls : {}),
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
