// The daemon: composes store, raft, discovery, analysis and the HTTP API for one node, and owns the
// process lifecycle. Data flow (architecture.md): every node probes and analyses its own view;
// the raft leader alone publishes replicated commands and (later) runs recoveries; committed
// commands are applied by every node's FSM to its own backend.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ApiDeps, createApi } from '@orchestrator/api';
import type { InstanceKey } from '@orchestrator/store';
import { openStore } from '@orchestrator/store';
import { watchAnalysis } from './analysis-log.js';
import {
  analysisReads,
  auditReads,
  candidateReads,
  discoveryPort,
  instanceReads,
  maintenanceStore,
  poolReads,
  recoveryReads,
  tagStore,
} from './api-deps.js';
import { SteadyClock } from './clock.js';
import type { DerivedConfig, OrchestratorConfig } from './config/index.js';
import { Discovery } from './discovery.js';
import { HealthWriter } from './health.js';
import { MasterKV } from './kv.js';
import { createLogger, type LogFormat } from './logger.js';
import { createDaemonMetrics } from './metrics/index.js';
import { EffectHandler, EffectQueue } from './raft/effects.js';
import { LeaderDuties } from './raft/leader-duties.js';
import { leaderChangeLine } from './raft/leader-log.js';
import { MembershipIntent } from './raft/membership.js';
import { createRaftNode, mkTemp, raftMembers } from './raft/node.js';
import { RaftService } from './raft/service.js';
import { OrchestratorStateMachine } from './raft/state-machine.js';
import { RecoveryService } from './recovery.js';
import { ConfigReload } from './reload.js';
import { recoveryRoutes } from './routes/recovery-routes.js';
import { createReplicationControl, replicationRoutes } from './routes/replication-routes.js';
import { topologyRoutes, topologyService } from './routes/topology-routes.js';
import { httpsClientOptions, httpsServerOptions } from './tls.js';
import { withWebApp } from './web.js';

const here = dirname(fileURLToPath(import.meta.url));
export const APP_VERSION = (
  JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as { version: string }
).version;

export interface DaemonOptions {
  readonly logLevel?: string;
  readonly configFile?: string;
  /** Handle SIGTERM/SIGINT (default true). */
  readonly handleSignals?: boolean;
  /** The clock every time-based decision uses (default: a SteadyClock started now). */
  readonly clock?: SteadyClock;
}

export interface Daemon {
  /** Resolves once the daemon has stopped. */
  readonly closed: Promise<void>;
  readonly http: Server;
  readonly raft: RaftService;
  stop(): Promise<void>;
}

export async function startDaemon(
  config: OrchestratorConfig,
  derived: DerivedConfig,
  options: DaemonOptions = {},
): Promise<Daemon> {
  const log = createLogger({
    level: options.logLevel ?? config.LogLevel,
    format: ((process.env.ORCHESTRATOR_LOG_FORMAT as LogFormat | undefined) ?? config.LogFormat) as LogFormat,
    base: { node: derived.raftId },
  });
  const node = {
    hostname: derived.raftId || hostname(),
    token: randomBytes(16).toString('hex'),
    appVersion: APP_VERSION,
  };
  log.info(
    { config: options.configFile ?? '(defaults)', version: APP_VERSION, backend: config.BackendDB },
    'starting',
  );

  // Jump-free time for everything the daemon decides with (clock.ts); a step of the system clock
  // is logged, never acted upon.
  const clock =
    options.clock ??
    new SteadyClock({
      onJump: (jumpMs, offsetMs) =>
        log.warn(
          { jumpMs: Math.round(jumpMs), offsetMs: Math.round(offsetMs) },
          'the system clock jumped; timing, anti-flapping and downtime keep the daemon clock (restart to adopt the new time)',
        ),
    });
  const clockCheck = setInterval(() => clock.check(), 1000);
  clockCheck.unref();
  // One Prometheus registry for the process, served at /metrics (README "Metrics").
  const metrics = createDaemonMetrics();
  const store = await openStore(config, {
    node: { hostname: node.hostname, token: node.token },
    clock: clock.now,
  });
  const effects = new EffectQueue();
  const sm = new OrchestratorStateMachine(store, (e) => effects.push(e), log, metrics.store.apply);
  await sm.init();

  const raftNode = createRaftNode(config, derived, sm, log, metrics.raft.observer);
  metrics.raft.watch(raftNode);
  let knownLeader = '';
  raftNode.on('leaderChanged', ({ leader, term }: { leader: string; term: number }) => {
    const line = leaderChangeLine(knownLeader, leader, term, derived.raftId);
    knownLeader = leader;
    log[line.level](line.fields, line.msg);
  });
  const raftService = new RaftService(raftNode, {
    raftBind: config.RaftBind,
    raftAdvertise: derived.raftId,
    defaultRaftPort: config.DefaultRaftPort,
    leaderURI: () => sm.leaderURI(),
    // Heard from within two election timeouts: reachable for raft-add-peer / raft-remove-peer.
    reachableWithinMs: 2 * config.RaftTickMilliseconds * config.RaftElectionTicks,
    now: clock.now,
  });
  raftNode.on('error', (err: Error) => log.error({ error: err.message }, 'raft failed'));
  await raftNode.start();

  const health = new HealthWriter(store, raftService, node, log);
  health.start();

  const probeMetrics = metrics.prober({
    now: clock.now,
    // A successful check older than two poll intervals plus a probe's allowance is overdue.
    staleAfterMs: () => (2 * config.InstancePollSeconds + config.ReasonableInstanceCheckSeconds) * 1000,
  });
  const discoveryService = new Discovery(config, store, raftService, log, derived.urlPrefix, clock.now, {
    probe: (p) => probeMetrics.record(p),
    write: metrics.store.probeWrite,
  });
  probeMetrics.watch(discoveryService);
  effects.consume(new EffectHandler(log, discoveryService, raftService, config, derived).handler);
  watchAnalysis(discoveryService, log, metrics.recovery);
  // Masters for service discovery: kv_store and the configured ZooKeeper / etcd / Consul (leader only).
  const masterKV = new MasterKV({
    config,
    store,
    instances: instanceReads(store, config),
    raft: raftService,
    log,
  });
  const recovery = new RecoveryService(
    config,
    derived,
    store,
    raftService,
    discoveryService,
    node,
    log,
    masterKV,
    clock.now,
    metrics.recovery,
  );
  const topology = topologyService(config, derived, store, raftService, discoveryService, log);
  recovery.start();
  discoveryService.start();
  masterKV.start();

  const membership = new MembershipIntent(
    config.RaftEnabled ? config.RaftDataDir : mkTemp(),
    raftMembers(config, derived),
  );
  const duties = new LeaderDuties(raftService, {
    httpURL: derived.httpURL,
    healthPollSeconds: config.RaftHealthPollSeconds,
    membership,
    log,
    onLeading: () => {
      recovery.onLeading();
      // A new leader brings the KV stores up to date at once (its predecessor may have died mid-write).
      void masterKV.submitAll();
    },
  });
  duties.start();

  const deps: ApiDeps = {
    raft: raftService,
    commands: raftService,
    instances: instanceReads(store, config),
    topologyHistory: { snapshot: () => store.instances.snapshotTopology() },
    discovery: discoveryPort(discoveryService),
    maintenance: maintenanceStore(store),
    tags: tagStore(store, raftService),
    pools: poolReads(store),
    analysis: analysisReads(
      () => discoveryService.latestAnalysis(),
      () => discoveryService.changelog.rows(),
    ),
    recoveries: recoveryReads(store),
    audit: auditReads(store),
    health,
    kv: masterKV,
    hostnames: {
      entries: () => discoveryService.hostnameCache(),
      reset: () => discoveryService.resetHostnameCache(),
    },
    discoveryMetrics: discoveryService.metrics,
    candidates: candidateReads(store),
  };
  const replication = createReplicationControl({
    config,
    derived,
    store,
    log,
    raft: raftService,
    discovery: deps.discovery,
    instances: deps.instances,
  });
  const api = createApi(deps, {
    urlPrefix: derived.urlPrefix,
    ownURL: derived.httpURL,
    authenticationMethod: config.AuthenticationMethod as '' | 'basic' | 'multi',
    httpAuthUser: config.HTTPAuthUser,
    httpAuthPassword: config.HTTPAuthPassword,
    readOnly: config.ReadOnly,
    statusEndpoint: config.StatusEndpoint,
    candidateInstanceExpireMinutes: config.CandidateInstanceExpireMinutes,
    now: () => new Date(clock.now()),
    kvClusterMasterPrefix: config.KVClusterMasterPrefix,
    recoverMasterClusterFilters: config.RecoverMasterClusterFilters,
    recoverIntermediateMasterClusterFilters: config.RecoverIntermediateMasterClusterFilters,
    recoveryIgnoreHostnameFilters: config.RecoveryIgnoreHostnameFilters,
    oscIgnoreHostnameFilters: config.OSCIgnoreHostnameFilters,
    registry: metrics.registry,
    extraRoutes: [
      ...topologyRoutes(topology),
      ...recoveryRoutes({
        engine: recovery.engine,
        latestAnalysis: () => discoveryService.latestAnalysis(),
      }),
      ...replicationRoutes(replication.control),
    ],
    proxyTls: config.UseSSL ? httpsClientOptions(config) : undefined,
    readCache:
      config.APIReadCacheMilliseconds > 0
        ? { version: store.dataVersion, maxAgeMs: config.APIReadCacheMilliseconds }
        : undefined,
    onError: (err, path) => log.error({ path, error: (err as Error).message }, 'API handler failed'),
  });
  if (options.configFile !== undefined) {
    deps.config = new ConfigReload(options.configFile, {
      config,
      derived,
      engine: recovery.engine,
      discovery: discoveryService,
      api,
      log,
    });
  }
  const tlsServer = httpsServerOptions(config);
  const handler = withWebApp(api.listener(), {
    urlPrefix: derived.urlPrefix,
    authenticationMethod: config.AuthenticationMethod as '' | 'basic' | 'multi',
    httpAuthUser: config.HTTPAuthUser,
    httpAuthPassword: config.HTTPAuthPassword,
  });
  const http = tlsServer
    ? createHttpsServer({ ...tlsServer, keepAliveTimeout: 65_000 }, handler)
    : createServer({ keepAliveTimeout: 65_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(derived.listenPort, derived.listenHost || undefined, () => resolve());
  });
  log.info(
    { listen: config.ListenAddress, url: derived.httpURL, raft: derived.raftId },
    'HTTP API listening',
  );

  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  let stopping: Promise<void> | undefined;
  // Graceful and bounded (the max is what an operator waits for): new connections are refused at
  // once; a leader hands off its leadership without waiting for the election; the services stop
  // side by side within one budget; raft then refuses what is still pending (every in-flight
  // request is answered) and the files are closed. Each step is logged with its duration.
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('stopping');
      const steps: Record<string, number> = {};
      let mark = performance.now();
      const step = (name: string) => {
        const now = performance.now();
        steps[name] = Math.round((now - mark) * 10) / 10;
        mark = now;
      };
      clearInterval(clockCheck);
      http.close();
      http.closeIdleConnections();
      duties.stop();
      if (raftService.isLeader()) {
        await within(SHUTDOWN_HAND_OFF_MS, raftNode.handOffLeadership());
        step('handOff');
      }
      health.stop();
      await within(SHUTDOWN_SERVICES_MS, [
        recovery.stop(),
        masterKV.stop(),
        topology.close(),
        replication.close(),
        discoveryService.stop(),
      ]);
      step('services');
      raftService.markStopped();
      await within(SHUTDOWN_RAFT_MS, raftNode.stop());
      step('raft');
      // Answers to the requests raft just refused are written before their connections close.
      await new Promise<void>((r) => setImmediate(r));
      api.closeApi();
      http.closeAllConnections();
      // SQLite is crash-safe, so a close that fails (a snapshot still reading, past raft's bound)
      // loses nothing; the OS closes the file at exit. Said in the log rather than hidden.
      await store
        .close()
        .catch((err: Error) => log.warn({ error: err.message }, 'backend not closed cleanly'));
      step('store');
      log.info({ steps }, 'stopped');
      resolveClosed();
    })();
    return stopping;
  };
  if (options.handleSignals !== false) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        // Every step above is bounded; this only guards against a bug in one of them.
        setTimeout(() => process.exit(0), SHUTDOWN_WATCHDOG_MS).unref();
        void stop().then(() => process.exit(0));
      });
    }
    // SIGHUP reloads the config file, as the reference does; the only way back from ReadOnly,
    // which refuses the reload-configuration route itself.
    const reloader = deps.config;
    if (reloader !== undefined)
      process.on('SIGHUP', () => {
        try {
          reloader.reload();
        } catch (err) {
          log.error(
            { file: options.configFile, error: (err as Error).message },
            'configuration reload failed',
          );
        }
      });
  }
  return { closed, http, raft: raftService, stop };
}

/** How long a stopping leader waits for its hand-off message to go out. */
const SHUTDOWN_HAND_OFF_MS = 50;
/** How long the services (discovery, recovery, KV, topology, replication control) get to stop. */
const SHUTDOWN_SERVICES_MS = 50;
/** How long raft gets to refuse what is pending and finish the entry it is applying. */
const SHUTDOWN_RAFT_MS = 200;
const SHUTDOWN_WATCHDOG_MS = 1000;

/** Waits for `work` (its failures ignored), but no longer than `ms`. */
async function within(ms: number, work: Promise<unknown> | readonly (Promise<unknown> | undefined)[]) {
  const all = Array.isArray(work) ? Promise.allSettled(work) : (work as Promise<unknown>).catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

export type { InstanceKey };
