// Backend write latency: replicated commands applied to this node's backend (the raft apply path)
// and batches of probe results written by discovery.
import type { Registry } from 'prom-client';
import { prom } from './prom.js';

const WRITE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export class StoreMetrics {
  /** Seconds one replicated command took to apply to the backend. */
  readonly apply: (seconds: number) => void;
  /** Seconds one batch of probe results took to write. */
  readonly probeWrite: (seconds: number) => void;

  constructor(registry: Registry) {
    const apply = new (prom().Histogram)({
      name: 'orchestrator_store_apply_duration_seconds',
      help: "Applying one replicated command to this node's backend (SQLite or MySQL).",
      buckets: WRITE_BUCKETS,
      registers: [registry],
    });
    const probeWrite = new (prom().Histogram)({
      name: 'orchestrator_store_probe_write_duration_seconds',
      help: "Writing one batch of probe results to this node's backend.",
      buckets: WRITE_BUCKETS,
      registers: [registry],
    });
    this.apply = (s) => apply.observe(s);
    this.probeWrite = (s) => probeWrite.observe(s);
  }
}
