// Opening a connection to the leader, plain or TLS, for the follower's HTTP clients: the one place
// that knows about schemes, so both pools speak to http:// and https:// leaders the same way.
import net from 'node:net';
import tls from 'node:tls';

/** Where the leader listens. */
export interface Origin {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
}

/** TLS settings for an https leader (UseSSL / mutual TLS). */
export type DialTls = Pick<tls.ConnectionOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;

/** The origin of a leader URI, or undefined when it is not an http(s) URL. */
export function originOf(uri: string): Origin | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, secure };
}

export function originKey(o: Origin): string {
  return `${o.secure ? 'https' : 'http'}://${o.host}:${o.port}`;
}

export function dial(o: Origin, tlsOptions: DialTls | undefined): net.Socket {
  if (!o.secure) return net.connect({ host: o.host, port: o.port, noDelay: true });
  const socket = tls.connect({
    host: o.host,
    port: o.port,
    servername: net.isIP(o.host) === 0 ? o.host : undefined,
    ...(tlsOptions ?? {}),
  });
  socket.setNoDelay(true);
  return socket;
}
