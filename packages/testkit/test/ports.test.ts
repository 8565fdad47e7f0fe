import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts } from '../src/index.js';

describe('freePort', () => {
  it('picks a bindable port below the ephemeral range, so no outgoing connection can hold it', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_768);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((r) => server.close(r));
  });

  it('freePorts returns distinct ports', async () => {
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
  });
});
