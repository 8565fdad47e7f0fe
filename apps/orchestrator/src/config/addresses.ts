// Raft node addresses and the leader URL (reference §1.1). Names are never resolved to IPs: a node's
// identity is the configured string plus DefaultRaftPort when it has no port.

export interface HostPort {
  host: string;
  /** undefined when the address has no port. */
  port: number | undefined;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal. Returns null when malformed. */
export function splitHostPort(address: string): HostPort | null {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (v6) return withPort(v6[1] ?? '', v6[2]);
  const colons = address.split(':').length - 1;
  if (colons > 1) return /^[0-9a-fA-F:.]+$/.test(address) ? { host: address, port: undefined } : null;
  const [host = '', port] = address.split(':');
  return withPort(host, port);
}

function withPort(host: string, port: string | undefined): HostPort | null {
  if (port === undefined) return { host, port: undefined };
  if (!/^\d{1,5}$/.test(port)) return null;
  const n = Number(port);
  return n >= 0 && n <= 65535 ? { host, port: n } : null;
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A raft node entry as its identity: trimmed, `DefaultRaftPort` appended when there is no port.
 * Returns an error message instead when the entry is malformed.
 */
export function normalizeNode(entry: string, defaultPort: number): { address: string } | { error: string } {
  const trimmed = entry.trim();
  if (trimmed === '') return { error: 'is empty' };
  if (/[\s/]/.test(trimmed)) return { error: `${JSON.stringify(entry)} contains whitespace or a slash` };
  const hp = splitHostPort(trimmed);
  if (hp === null || hp.host === '') return { error: `${JSON.stringify(entry)} is not host[:port]` };
  if (hp.port === 0) return { error: `${JSON.stringify(entry)} has port 0` };
  return { address: joinHostPort(hp.host, hp.port ?? defaultPort) };
}

/** Validates HTTPAdvertise: scheme http(s), a host, a port, and no path, query or fragment. */
export function checkHTTPAdvertise(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${JSON.stringify(value)} is not a URL; expected scheme://host:port`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `scheme must be http or https, got ${url.protocol}`;
  if (url.hostname === '') return 'has no host';
  // URL drops default ports (http://h:80 → port ''), so look at the text for an explicit port.
  if (url.port === '' && !/^[a-z]+:\/\/(\[[^\]]+\]|[^/:]+):\d+\/?$/i.test(value))
    return 'must include a port';
  if (url.pathname !== '/' || value.endsWith('/')) return 'must not have a path';
  if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  return null;
}

/** The URL this node publishes as leader: HTTPAdvertise, else scheme + RaftAdvertise host + ListenAddress port. */
export function leaderURL(o: {
  HTTPAdvertise: string;
  UseSSL: boolean;
  raftAdvertise: string;
  listenPort: number;
}): string {
  if (o.HTTPAdvertise !== '') return o.HTTPAdvertise.replace(/\/+$/, '');
  const host = splitHostPort(o.raftAdvertise)?.host ?? o.raftAdvertise;
  return `${o.UseSSL ? 'https' : 'http'}://${joinHostPort(host, o.listenPort)}`;
}
