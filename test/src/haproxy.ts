// HAProxy in front of a cluster, configured from deploy/haproxy.cfg with the cluster's addresses.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, makeTempDir, ProcessHandle } from '@orchestrator/testkit';
import type { OrchestratorCluster } from './cluster.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface HAProxy {
  readonly url: string;
  readonly process: ProcessHandle;
  stop(): Promise<void>;
}

/** Starts haproxy with the repository's config, pointed at the cluster's HTTP ports. */
export async function startHAProxy(cluster: OrchestratorCluster): Promise<HAProxy> {
  const port = await freePort();
  let cfg = readFileSync(join(repoRoot, 'deploy/haproxy.cfg'), 'utf8')
    .replace(/^\s*bind \*:80$/m, `    bind 127.0.0.1:${port}`)
    .replace(/^\s*log stdout.*$/m, '')
    .replace(/^\s*server node\d .*$/gm, '');
  cfg += cluster.nodes.map((n) => `    server node${n.index} 127.0.0.1:${n.httpPort} check\n`).join('');
  const dir = makeTempDir('haproxy');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, cfg);
  const process = new ProcessHandle('haproxy', { command: 'haproxy', args: ['-db', '-f', file] }).start();
  return { url: `http://127.0.0.1:${port}`, process, stop: () => process.kill9() };
}
