// Operator intent: downtime, maintenance, candidates, hostname unresolve, tags.
import { candidateExpiry } from '@orchestrator/model';
import { okEnvelope } from '../envelope.js';
import { failed } from '../errors.js';
import {
  parseDuration,
  parseHost,
  parseKey,
  parseNonNegativeInt,
  parsePromotionRule,
  parseTag,
  parseTagExpression,
  parseText,
} from '../params.js';
import type { RouteDef, RouteRequest } from '../route.js';
import { keyString, timestampString } from './helpers.js';

/** The reference's default for downtime and maintenance (MaintenanceExpireMinutes). */
const DEFAULT_SECONDS = 600;

/**
 * The tag of a tag route: `?tag=name[=value]` when given, else the path's `:tagName[/:tagValue]`
 * (the reference's getTag).
 */
function tagOf(req: RouteRequest) {
  const query = req.query.get('tag');
  if (query !== null && query !== '') return parseTag(query);
  const name = req.params.tagName;
  if (name === undefined) return parseTag(query);
  const value = req.params.tagValue;
  return parseTag(value === undefined || value === '' ? name : `${name}=${value}`, 'tagName');
}

interface MaintenanceRow {
  Id?: unknown;
  Key?: { Hostname: string; Port: number };
}

export const operatorRoutes: RouteDef[] = [
  {
    name: 'begin-downtime',
    paths: [
      'begin-downtime/:host/:port/:owner/:reason',
      'begin-downtime/:host/:port/:owner/:reason/:duration',
    ],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      const owner = parseText(req.params.owner, 'owner', 256);
      const reason = parseText(req.params.reason, 'reason');
      const seconds =
        (req.params.duration === undefined ? 0 : parseDuration(req.params.duration, 'duration')) ||
        DEFAULT_SECONDS;
      const begins = req.options.now();
      const ends = new Date(begins.getTime() + seconds * 1000);
      await req.deps.commands.propose('begin-downtime', {
        Key: key,
        Owner: owner,
        Reason: reason,
        Duration: seconds * 1e9,
        BeginsAt: begins.toISOString(),
        EndsAt: ends.toISOString(),
        BeginsAtString: timestampString(begins),
        EndsAtString: timestampString(ends),
      });
      return okEnvelope(`Downtime begun: ${keyString(key)}`, key);
    },
  },
  {
    name: 'end-downtime',
    paths: ['end-downtime/:host/:port'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      await req.deps.commands.propose('end-downtime', key);
      return okEnvelope(`Downtime ended: ${keyString(key)}`, key);
    },
  },
  {
    name: 'begin-maintenance',
    paths: ['begin-maintenance/:host/:port/:owner/:reason'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      const owner = parseText(req.params.owner, 'owner', 256);
      const reason = parseText(req.params.reason, 'reason');
      await req.deps.maintenance.begin(key, owner, reason, DEFAULT_SECONDS);
      return okEnvelope(`Maintenance begun: ${keyString(key)}`, key);
    },
  },
  {
    name: 'end-maintenance',
    paths: ['end-maintenance/:host/:port'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      if (!(await req.deps.maintenance.end(key))) {
        throw failed(`No active maintenance on ${keyString(key)}`, key);
      }
      return okEnvelope(`Maintenance ended: ${keyString(key)}`, key);
    },
  },
  {
    // The reference's EndMaintenance: by the maintenance id (begin-maintenance logs it).
    name: 'end-maintenance-by-id',
    paths: ['end-maintenance/:maintenanceKey'],
    kind: 'write',
    handler: async (req) => {
      const id = parseNonNegativeInt(req.params.maintenanceKey, 'maintenanceKey');
      const rows = (await req.deps.maintenance.list()) as MaintenanceRow[];
      const row = rows.find((m) => Number(m.Id) === id);
      if (row?.Key === undefined || !(await req.deps.maintenance.end(row.Key))) {
        throw failed(`Instance is not in maintenance mode; maintenance_id=${id}`, id);
      }
      return okEnvelope(`Maintenance ended: ${id}`, id);
    },
  },
  {
    // Message "true" or "false"; Details the key as `host:port` when in maintenance, else "".
    name: 'in-maintenance',
    paths: ['in-maintenance/:host/:port'],
    kind: 'proxied',
    handler: async (req) => {
      const key = parseKey(req.params);
      const rows = (await req.deps.maintenance.list()) as MaintenanceRow[];
      const inMaintenance = rows.some((m) => m.Key?.Hostname === key.Hostname && m.Key?.Port === key.Port);
      return okEnvelope(String(inMaintenance), inMaintenance ? keyString(key) : '');
    },
  },
  {
    name: 'maintenance',
    paths: ['maintenance'],
    kind: 'proxied',
    handler: (req) => req.deps.maintenance.list(),
  },
  {
    name: 'register-candidate',
    paths: ['register-candidate/:host/:port/:promotionRule'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      const rule = parsePromotionRule(req.params.promotionRule);
      const now = req.options.now();
      const expiry = new Date(candidateExpiry(now.getTime(), req.options.candidateInstanceExpireMinutes));
      await req.deps.commands.propose('register-candidate', {
        Hostname: key.Hostname,
        Port: key.Port,
        PromotionRule: rule,
        LastSuggestedString: timestampString(now),
        PromotionRuleExpiry: timestampString(expiry),
      });
      return okEnvelope(`Registered candidate: ${keyString(key)} (${rule})`, key);
    },
  },
  {
    name: 'register-hostname-unresolve',
    paths: ['register-hostname-unresolve/:host/:port/:virtualname'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      const virtual = parseHost(req.params.virtualname, 'virtualname');
      await req.deps.commands.propose('register-hostname-unresolve', {
        CreatedAt: req.options.now().toISOString(),
        Key: key,
        Hostname: virtual,
      });
      return okEnvelope(`Registered hostname unresolve: ${keyString(key)} → ${virtual}`, key);
    },
  },
  {
    name: 'deregister-hostname-unresolve',
    paths: ['deregister-hostname-unresolve/:host/:port'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      await req.deps.commands.propose('register-hostname-unresolve', {
        CreatedAt: req.options.now().toISOString(),
        Key: key,
        Hostname: '',
      });
      return okEnvelope(`Deregistered hostname unresolve: ${keyString(key)}`, key);
    },
  },
  {
    name: 'tag',
    paths: ['tag/:host/:port', 'tag/:host/:port/:tagName/:tagValue'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      const tag = tagOf(req);
      await req.deps.commands.propose('put-instance-tag', { Key: key, T: tag });
      return okEnvelope(`${keyString(key)} tagged`, key);
    },
  },
  {
    name: 'untag',
    paths: ['untag/:host/:port', 'untag/:host/:port/:tagName'],
    kind: 'write',
    handler: async (req) => {
      const key = parseKey(req.params);
      const keys = await req.deps.tags.untag(key, tagOf(req));
      return okEnvelope(`${keyString(key)} untagged`, keys);
    },
  },
  {
    name: 'untag-all',
    paths: ['untag-all', 'untag-all/:tagName/:tagValue'],
    kind: 'write',
    handler: async (req) => {
      const keys = await req.deps.tags.untag(null, tagOf(req));
      return okEnvelope(`${keys.length} instances untagged`, keys);
    },
  },
  {
    name: 'tags',
    paths: ['tags/:host/:port'],
    kind: 'proxied',
    handler: (req) => req.deps.tags.list(parseKey(req.params)),
  },
  {
    name: 'tag-value',
    paths: ['tag-value/:host/:port', 'tag-value/:host/:port/:tagName'],
    kind: 'proxied',
    handler: async (req) => {
      const key = parseKey(req.params);
      const tag = tagOf(req);
      const value = await req.deps.tags.value(key, tag.TagName);
      if (value === null) throw failed(`${keyString(key)} is not tagged ${tag.TagName}`, key);
      return value;
    },
  },
  {
    name: 'tagged',
    paths: ['tagged'],
    kind: 'proxied',
    handler: (req) => req.deps.tags.tagged(parseTagExpression(req.query.get('tag'))),
  },
];
