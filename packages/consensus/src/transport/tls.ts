// TLS and mutual TLS for the raft port, from PEM file paths. The same certificate and key serve
// both roles: the server presents them to callers, and the client presents them when dialling
// (which is what a server with `requireClientCert` checks against its CA).
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

export interface TlsOptions {
  /** PEM CA bundle that peers' certificates must chain to; system roots when omitted. */
  readonly caFile?: string;
  /** PEM certificate chain of this node. */
  readonly certFile: string;
  /** PEM private key of this node. */
  readonly keyFile: string;
  /** Mutual TLS: refuse callers that do not present a certificate signed by the CA. Default false. */
  readonly requireClientCert?: boolean;
  /** Name to verify in peers' certificates instead of the dialled host (e.g. a shared cluster name). */
  readonly serverNameOverride?: string;
}

interface Loaded {
  readonly ca: Buffer | null;
  readonly cert: Buffer;
  readonly key: Buffer;
}

function load(tls: TlsOptions): Loaded {
  return {
    ca: tls.caFile ? readFileSync(tls.caFile) : null,
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
  };
}

export function serverCredentials(tls: TlsOptions | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const { ca, cert, key } = load(tls);
  return grpc.ServerCredentials.createSsl(
    ca,
    [{ cert_chain: cert, private_key: key }],
    tls.requireClientCert ?? false,
  );
}

export function channelCredentials(tls: TlsOptions | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  const { ca, cert, key } = load(tls);
  return grpc.credentials.createSsl(ca, key, cert);
}
