// `npm start` across restarts: which ports the local cluster uses, and whether .local-cluster/ can
// be reused. A raft node's id is its configured host:port, so raft data written under other raft
// ports names members that no longer exist: such a cluster would never elect a leader, and is
// rebuilt. HTTP ports are not part of any identity: when only they move, the data is kept.

export interface LocalClusterPorts {
  readonly http: readonly number[];
  readonly raft: readonly number[];
}

/** What .local-cluster/ports.json records about the run that wrote the data. */
export interface LocalClusterManifest {
  readonly nodes: number;
  readonly ports: LocalClusterPorts;
  /** The `npm start` process that wrote it (a second start on the same directory refuses). */
  readonly pid?: number;
}

export type PortFree = (port: number) => Promise<boolean>;

export const MANIFEST_FILE = 'ports.json';

function isPortList(value: unknown, count: number): value is number[] {
  return (
    Array.isArray(value) &&
    value.length === count &&
    value.every((p) => Number.isInteger(p) && (p as number) > 0 && (p as number) < 65536)
  );
}

/** The manifest in `text`, or undefined when it is not one (an edited or truncated file). */
export function parseManifest(text: string): LocalClusterManifest | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = json as { nodes?: unknown; ports?: { http?: unknown; raft?: unknown } } | null;
  const nodes = m?.nodes;
  if (typeof nodes !== 'number' || !Number.isInteger(nodes) || nodes < 1) return undefined;
  if (!isPortList(m?.ports?.http, nodes) || !isPortList(m?.ports?.raft, nodes)) return undefined;
  const pid = (json as { pid?: unknown }).pid;
  const manifest = { nodes, ports: { http: m.ports.http, raft: m.ports.raft } };
  return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? { ...manifest, pid } : manifest;
}

function portOf(address: unknown): number | undefined {
  if (typeof address !== 'string') return undefined;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/**
 * The ports a work directory written without ports.json (by an older `npm start`) used, read from
 * its nodes' orchestrator.conf.json (node1, node2, … in order); undefined when any is unreadable.
 */
export function manifestFromConfigs(configTexts: readonly string[]): LocalClusterManifest | undefined {
  const http: number[] = [];
  const raft: number[] = [];
  for (const text of configTexts) {
    let config: { ListenAddress?: unknown; RaftBind?: unknown } | null;
    try {
      config = JSON.parse(text) as typeof config;
    } catch {
      return undefined;
    }
    const h = portOf(config?.ListenAddress);
    const r = portOf(config?.RaftBind);
    if (h === undefined || r === undefined) return undefined;
    http.push(h);
    raft.push(r);
  }
  return configTexts.length > 0 ? { nodes: configTexts.length, ports: { http, raft } } : undefined;
}

async function allFree(ports: readonly number[], isFree: PortFree): Promise<boolean> {
  return (await Promise.all(ports.map(isFree))).every(Boolean);
}

/** `count` consecutive free ports starting at `from`, or the next free block after it. */
export async function portBlock(from: number, count: number, isFree: PortFree): Promise<number[]> {
  for (let start = from; start + count - 1 < 65536 && start < from + 1000; start += count) {
    const ports = Array.from({ length: count }, (_, i) => start + i);
    if (await allFree(ports, isFree)) return ports;
  }
  throw new Error(`no ${count} free consecutive ports from ${from}`);
}

/**
 * The last run's ports when they are all still free (so its data stays usable), else a free block
 * from the base port; HTTP and raft are chosen separately.
 */
export async function choosePorts(
  previous: LocalClusterManifest | undefined,
  nodes: number,
  base: { readonly http: number; readonly raft: number },
  isFree: PortFree,
): Promise<LocalClusterPorts> {
  const last = previous?.nodes === nodes ? previous.ports : undefined;
  const http =
    last && (await allFree(last.http, isFree)) ? last.http : await portBlock(base.http, nodes, isFree);
  const raft =
    last && (await allFree(last.raft, isFree)) ? last.raft : await portBlock(base.raft, nodes, isFree);
  return { http, raft };
}

export type WorkDirPlan =
  | { readonly action: 'create'; readonly message: string }
  | { readonly action: 'reuse'; readonly message: string }
  | { readonly action: 'rebuild'; readonly message: string };

const list = (ports: readonly number[]) => ports.join(',');
const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((p, i) => p === b[i]);

/**
 * What to do with the work directory given what the last run recorded (`previous`; undefined when
 * nothing readable was recorded), whether node data exists, and the ports chosen now.
 */
export function planWorkDir(
  workDir: string,
  previous: LocalClusterManifest | undefined,
  hasData: boolean,
  chosen: LocalClusterManifest,
): WorkDirPlan {
  if (!hasData) return { action: 'create', message: `new local cluster in ${workDir}` };
  const rebuild = (why: string): WorkDirPlan => ({
    action: 'rebuild',
    message: `${why}: rebuilding ${workDir} (its raft data would name members that no longer exist, and no leader would be elected)`,
  });
  if (previous === undefined)
    return rebuild(
      `neither ${MANIFEST_FILE} nor the node configs record the ports its data was written with`,
    );
  if (previous.nodes !== chosen.nodes)
    return rebuild(`the node count changed from ${previous.nodes} to ${chosen.nodes}`);
  if (!same(previous.ports.raft, chosen.ports.raft)) {
    return rebuild(
      `raft ports ${list(previous.ports.raft)} are taken, so the nodes use ${list(chosen.ports.raft)} and their ids change`,
    );
  }
  if (!same(previous.ports.http, chosen.ports.http)) {
    return {
      action: 'reuse',
      message: `HTTP ports ${list(previous.ports.http)} are taken, so the nodes listen on ${list(chosen.ports.http)}; reusing ${workDir} (raft ports unchanged)`,
    };
  }
  return { action: 'reuse', message: `reusing ${workDir} (same ports as last time)` };
}
