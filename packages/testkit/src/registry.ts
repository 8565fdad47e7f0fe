// Tracks every process, temp dir, network namespace and link the kit creates, so they are removed
// however a test run ends: on normal exit, on a signal, and — through a small watchdog process — even
// when the test process itself is killed with SIGKILL (vitest does that to workers that time out).
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pids = new Set<number>();
const dirs = new Set<string>();
/** Network namespaces and root-namespace links (bridges, veths) of NetLab, by name. */
const namespaces = new Set<string>();
const links = new Set<string>();
let registryDir: string | undefined;
let registryFile: string | undefined;

function ensureRegistry(): string {
  if (registryFile) return registryFile;
  registryDir = mkdtempSync(join(tmpdir(), 'orch-testkit-'));
  registryFile = join(registryDir, 'registry');
  writeFileSync(registryFile, '');
  // The watchdog outlives us by at most ~0.3 s: once our pid is gone it kills what we started
  // (by pid, as recorded), removes the temp dirs, links and network namespaces we recorded (their
  // XFRM policies go with the namespace), then itself. Names of links and namespaces carry our pid,
  // so nothing of another run is touched.
  const script = `
    while kill -0 ${process.pid} 2>/dev/null; do sleep 0.3; done
    while read -r kind value; do
      if [ "$kind" = pid ]; then kill -9 "$value" 2>/dev/null; fi
    done < "${registryFile}"
    sleep 0.2
    while read -r kind value; do
      case "$kind" in
        dir) rm -rf "$value" ;;
        link) ip link del "$value" 2>/dev/null ;;
        netns) ip netns del "$value" 2>/dev/null ;;
      esac
    done < "${registryFile}"
    rm -rf "${registryDir}"`;
  const watchdog = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  process.once('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanupSync();
      process.exit(130);
    });
  }
  return registryFile;
}

/** Records a started process so it is killed if the run ends without stopping it. */
export function trackPid(pid: number): void {
  pids.add(pid);
  appendFileSync(ensureRegistry(), `pid ${pid}\n`);
}

export function untrackPid(pid: number): void {
  pids.delete(pid);
}

/** Creates a temp dir that is removed when the run ends (or earlier via removeTempDir). */
export function makeTempDir(prefix: string): string {
  ensureRegistry();
  const dir = mkdtempSync(join(registryDir!, `${prefix}-`));
  dirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  dirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Records a network namespace or root-namespace link (created by NetLab) to delete if the run ends. */
export function trackNetResource(kind: 'netns' | 'link', name: string): void {
  (kind === 'netns' ? namespaces : links).add(name);
  appendFileSync(ensureRegistry(), `${kind} ${name}\n`);
}

export function untrackNetResource(kind: 'netns' | 'link', name: string): void {
  (kind === 'netns' ? namespaces : links).delete(name);
}

function ipQuiet(args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** Kills every tracked process and removes every tracked dir, link and namespace, synchronously. */
export function cleanupSync(): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  pids.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
  for (const link of links) ipQuiet(['link', 'del', link]);
  links.clear();
  for (const ns of namespaces) ipQuiet(['netns', 'del', ns]);
  namespaces.clear();
  if (registryDir) rmSync(registryDir, { recursive: true, force: true });
}

/** The root under which all of this run's temp dirs live (for tests of the kit). */
export function registryRoot(): string {
  ensureRegistry();
  return registryDir!;
}
