import { createServer } from 'node:net';

// Listening ports are picked below Linux's ephemeral range (32768–60999 by default). A port picked
// there can be taken, between the pick and the bind, or while a server restarts on it, by any
// outgoing connection's source port; below it only another listener can collide.
const LOW = 20_000;
const HIGH = 32_000;
const ATTEMPTS = 50;

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range when possible. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const candidate = LOW + Math.floor(Math.random() * (HIGH - LOW));
    const port = await tryListen(candidate);
    if (port !== undefined) return port;
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
