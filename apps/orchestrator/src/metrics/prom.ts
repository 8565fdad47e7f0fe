// prom-client, through its public entry point, loaded on first use rather than when the daemon's
// bundle is imported: the index also loads the default process metrics and @opentelemetry/api
// (~50 ms of CPU and ~10 MB of RSS, README "Metrics"), which the command line (`-c`, `--version`)
// never needs. The daemon loads it when it builds its registry.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

let loaded: typeof PromClient | undefined;

export function prom(): typeof PromClient {
  loaded ??= createRequire(import.meta.url)('prom-client') as typeof PromClient;
  return loaded;
}
