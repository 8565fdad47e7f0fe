// Bulk reads and monitoring: bulk-instances, bulk-promotion-rules, discovery-metrics-*,
// discovery-queue-metrics-*, replication-analysis-changelog.
import { badParameter, failed } from '../errors.js';
import type { RouteDef, RouteRequest } from '../route.js';
import { keyString } from './helpers.js';

/** `:seconds` as the reference reads it: an integer; the raw discovery metrics need it positive. */
function seconds(req: RouteRequest, positive: boolean): number {
  const raw = req.params.seconds ?? '';
  const n = /^-?\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(n) || (positive && n <= 0)) {
    throw badParameter('seconds', positive ? 'a positive number of seconds' : 'a number of seconds', raw);
  }
  return Math.max(0, n);
}

function metrics(req: RouteRequest) {
  const m = req.deps.discoveryMetrics;
  if (m === undefined) throw failed('discovery metrics are not collected by this node');
  return m;
}

export const monitoringRoutes: RouteDef[] = [
  {
    // The reference authorizes both bulk reads as actions (a read-only user is refused).
    name: 'bulk-instances',
    paths: ['bulk-instances'],
    kind: 'proxied',
    auth: 'write',
    handler: async (req) =>
      (await req.deps.instances.all())
        .map((i) => ({ Hostname: i.Key.Hostname, Port: i.Key.Port }))
        .sort((a, b) => keyString(a).localeCompare(keyString(b))),
  },
  {
    name: 'bulk-promotion-rules',
    paths: ['bulk-promotion-rules'],
    kind: 'proxied',
    auth: 'write',
    handler: async (req) => (await req.deps.candidates?.all()) ?? [],
  },
  {
    name: 'discovery-metrics-raw',
    paths: ['discovery-metrics-raw/:seconds'],
    kind: 'proxied',
    handler: (req) => metrics(req).raw(seconds(req, true)),
  },
  {
    name: 'discovery-metrics-aggregated',
    paths: ['discovery-metrics-aggregated/:seconds'],
    kind: 'proxied',
    handler: (req) => metrics(req).aggregated(seconds(req, false)),
  },
  {
    name: 'discovery-queue-metrics-raw',
    paths: ['discovery-queue-metrics-raw/:seconds'],
    kind: 'proxied',
    handler: (req) => metrics(req).queueRaw(seconds(req, false)),
  },
  {
    name: 'discovery-queue-metrics-aggregated',
    paths: ['discovery-queue-metrics-aggregated/:seconds'],
    kind: 'proxied',
    handler: (req) => metrics(req).queueAggregated(seconds(req, false)),
  },
  {
    name: 'replication-analysis-changelog',
    paths: ['replication-analysis-changelog'],
    kind: 'proxied',
    handler: async (req) => (await req.deps.analysis.changelog?.()) ?? [],
  },
];
