// Starts the fake fleet (fleet.mjs) as child processes on consecutive ports from `base`, for the
// scale benchmarks (this package's run.mjs, and the daemon's in test/bench/probe-scale-daemon.mjs).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Below the ephemeral range, so client sockets never collide with the fleet. */
export const FLEET_BASE_PORT = 10000;

// Each fleet process holds 2 descriptors per instance (listener + accepted socket); the hard limit
// here is 20000, so the fleet is split into processes of at most 3999 instances. Groups of three
// never straddle two processes.
const PER_PROCESS = 3999;

function startFleetPart(base, count) {
  const child = spawn(
    'bash',
    ['-c', `ulimit -n 20000 2>/dev/null; exec node ${join(here, 'fleet.mjs')} ${base} ${count}`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fleet exited with ${code}`)));
    child.stdout.on('data', (d) => {
      if (String(d).startsWith('ready')) resolve(child);
    });
  });
}

/** `count` fake instances (groups of master + 2 replicas) from port `base`; kill() ends them all. */
export async function startFleet(count, base = FLEET_BASE_PORT) {
  const parts = [];
  try {
    for (let start = 0; start < count; start += PER_PROCESS) {
      parts.push(await startFleetPart(base + start, Math.min(PER_PROCESS, count - start)));
    }
  } catch (error) {
    for (const p of parts) p.kill('SIGTERM');
    throw error;
  }
  return {
    kill: () => {
      for (const p of parts) p.kill('SIGTERM');
    },
    exited: () =>
      Promise.all(
        parts.map((p) => (p.exitCode !== null ? undefined : new Promise((r) => p.once('exit', r)))),
      ),
  };
}

/** The masters' addresses of a fleet of `count` from `base` (every third port). */
export function fleetMasters(count, base = FLEET_BASE_PORT) {
  return Array.from({ length: Math.ceil(count / 3) }, (_, i) => `127.0.0.1:${base + i * 3}`);
}
