// Before a new voter is added, its raft port must answer: adding a server that is down turns a
// healthy 3-node cluster into a 4-node one that needs 3 of 4 votes, so one more failure (or the new
// node never coming up) costs the quorum.
import { connect } from 'node:net';

export class PeerUnreachableError extends Error {
  readonly code = 'PEER_UNREACHABLE';
}

function hostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(at + 1)) };
}

function tryConnect(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (error: string | undefined) => {
      socket.destroy();
      resolve(error);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/** Resolves once `address` (host:port) accepts a TCP connection; retries until `waitMs` has passed. */
export async function waitUntilReachable(address: string, waitMs: number): Promise<void> {
  const { host, port } = hostPort(address);
  const deadline = performance.now() + waitMs;
  let last = '';
  for (;;) {
    const left = deadline - performance.now();
    const error = await tryConnect(host, port, Math.max(100, Math.min(1000, left)));
    if (error === undefined) return;
    last = error;
    if (deadline - performance.now() <= 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new PeerUnreachableError(
    `raft peer ${address} is not reachable (${last}); start it before adding it: ` +
      'an unreachable voter raises the quorum without adding a vote (add ?force in an emergency)',
  );
}
