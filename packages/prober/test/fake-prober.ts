import type { Instance, InstanceKey } from '@orchestrator/store';
import { keyString } from '../src/keys.js';
import { blankInstance } from '../src/probe/blank.js';
import type { InstanceProber, ProbeRequest, ProbeResult } from '../src/probe/probe.js';

/** A scripted fleet: each key answers with its current instance, or fails when marked down. */
export class FakeProber implements InstanceProber {
  readonly servers = new Map<string, Instance>();
  readonly down = new Set<string>();
  /** Hung servers: probes and pings to them never settle (a SIGSTOPped process behind an open socket). */
  readonly hung = new Set<string>();
  readonly closed: string[] = [];
  readonly probes: string[] = [];
  readonly executed: { key: string; sql: string }[] = [];
  /** Probe latency in ms (fake timers advance it). */
  latencyMs = 5;
  private readonly lost: ((key: InstanceKey) => void)[] = [];

  addServer(port: number, master?: number, replicas: number[] = []): Instance {
    const i = blankInstance({ Hostname: 'h', Port: port });
    i.ServerID = port;
    i.Version = '10.11.19-MariaDB';
    if (master !== undefined) {
      i.MasterKey = { Hostname: 'h', Port: master };
      i.ReplicationIOThreadRuning = true;
      i.ReplicationSQLThreadRuning = true;
      i.ReplicationIOThreadState = 1;
      i.ReplicationSQLThreadState = 1;
      i.UsingMariaDBGTID = true;
    }
    i.Replicas = replicas.map((p) => ({ Hostname: 'h', Port: p }));
    this.servers.set(keyString(i.Key), i);
    return i;
  }

  kill(port: number): void {
    this.down.add(`h:${port}`);
    for (const l of this.lost) l({ Hostname: 'h', Port: port });
  }

  async probe(req: ProbeRequest): Promise<ProbeResult> {
    const id = keyString(req.key);
    this.probes.push(id);
    if (this.hung.has(id)) return new Promise<ProbeResult>(() => undefined);
    await new Promise((r) => setTimeout(r, this.latencyMs));
    const s = this.servers.get(id);
    if (!s || this.down.has(id))
      return {
        ok: false,
        key: req.key,
        error: Object.assign(new Error(`${id} down`), { code: 'ECONNREFUSED' }),
      };
    return { ok: true, instance: structuredClone(s), partial: false, failedSteps: [] };
  }

  ping(req: ProbeRequest): Promise<boolean> {
    const id = keyString(req.key);
    if (this.hung.has(id)) return new Promise<boolean>(() => undefined);
    return Promise.resolve(!this.down.has(id));
  }

  onConnectionLost(listener: (key: InstanceKey) => void): void {
    this.lost.push(listener);
  }

  async execute(req: ProbeRequest, sql: string): Promise<void> {
    this.executed.push({ key: keyString(req.key), sql });
  }

  close(key: InstanceKey): void {
    this.closed.push(keyString(key));
  }
  async closeAll(): Promise<void> {}
}
