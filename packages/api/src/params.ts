// Pure parsing and validation of path/query parameters. Every failure names the parameter.

import type { InstanceKey } from '@orchestrator/model';
import {
  isSettablePromotionRule,
  SETTABLE_PROMOTION_RULES,
  type SettablePromotionRule,
} from '@orchestrator/model';
import type { TagFilter } from './deps.js';
import { badParameter } from './errors.js';

const MAX_HOST = 255;
// Hostnames, IPv4/IPv6 literals and the odd underscore; no whitespace, slashes or control chars.
const HOST_RE = /^[A-Za-z0-9_.:[\]%-]+$/;

export function parseHost(value: string | undefined, param = 'host'): string {
  if (value === undefined || value === '') throw badParameter(param, 'must not be empty');
  if (value.length > MAX_HOST) throw badParameter(param, `longer than ${MAX_HOST} characters`, value);
  if (!HOST_RE.test(value)) throw badParameter(param, 'not a valid hostname', value);
  return value;
}

export function parsePort(value: string | undefined, param = 'port'): number {
  if (value === undefined || !/^[0-9]{1,5}$/.test(value)) {
    throw badParameter(param, 'must be an integer between 1 and 65535', value);
  }
  const port = Number(value);
  if (port < 1 || port > 65535) throw badParameter(param, 'must be an integer between 1 and 65535', value);
  return port;
}

export function parseKey(
  params: Record<string, string>,
  hostParam = 'host',
  portParam = 'port',
): InstanceKey {
  return { Hostname: parseHost(params[hostParam], hostParam), Port: parsePort(params[portParam], portParam) };
}

/** `host:port`, `[v6]:port` or a bare host (then `defaultPort`). */
export function parseKeyString(value: string, param: string, defaultPort = 3306): InstanceKey {
  const v6 = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(value);
  if (v6) {
    return {
      Hostname: parseHost(v6[1], param),
      Port: v6[2] === undefined ? defaultPort : parsePort(v6[2], param),
    };
  }
  const i = value.lastIndexOf(':');
  if (i < 0 || value.indexOf(':') !== i) return { Hostname: parseHost(value, param), Port: defaultPort };
  return { Hostname: parseHost(value.slice(0, i), param), Port: parsePort(value.slice(i + 1), param) };
}

/** Non-negative integer (pages, ids, seconds). */
export function parseNonNegativeInt(value: string | undefined, param: string, max = 2 ** 31): number {
  if (value === undefined || !/^[0-9]{1,10}$/.test(value) || Number(value) > max) {
    throw badParameter(param, `must be an integer between 0 and ${max}`, value);
  }
  return Number(value);
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const MAX_DURATION_SECONDS = 10 * 365 * 86400;

/**
 * Durations like `10m`, `1h30m`, `90s`, `2d`; a bare number means seconds. Returns seconds.
 * Zero means "the default" to the caller, as in the reference.
 */
export function parseDuration(value: string, param = 'duration'): number {
  if (/^[0-9]{1,9}$/.test(value)) return checkDuration(Number(value), param, value);
  const re = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? 's'] ?? 1);
    consumed = re.lastIndex;
  }
  if (value === '' || consumed !== value.length) {
    throw badParameter(param, 'expected a duration such as 30s, 10m, 1h or 2d', value);
  }
  return checkDuration(total, param, value);
}

function checkDuration(seconds: number, param: string, value: string): number {
  if (!Number.isFinite(seconds) || seconds > MAX_DURATION_SECONDS) {
    throw badParameter(param, 'duration is longer than 10 years', value);
  }
  return Math.round(seconds);
}

export function parsePromotionRule(
  value: string | undefined,
  param = 'promotionRule',
): SettablePromotionRule {
  if (!isSettablePromotionRule(value))
    throw badParameter(param, `must be one of ${SETTABLE_PROMOTION_RULES.join(', ')}`, value);
  return value;
}

const TAG_NAME_RE = /^[^\s=,~]{1,128}$/;

/** One tag: `name`, `name=value`; `~name` negates when `allowNegate`. */
export function parseTag(value: string | null | undefined, param = 'tag', allowNegate = false): TagFilter {
  if (value === null || value === undefined || value === '') throw badParameter(param, 'is required');
  let text = value.trim();
  const Negate = allowNegate && text.startsWith('~');
  if (Negate) text = text.slice(1);
  const eq = text.indexOf('=');
  const TagName = eq < 0 ? text : text.slice(0, eq);
  const TagValue = eq < 0 ? '' : text.slice(eq + 1);
  if (!TAG_NAME_RE.test(TagName)) throw badParameter(param, 'not a valid tag name', value);
  if (TagValue.length > 1024) throw badParameter(param, 'tag value longer than 1024 characters', value);
  return { TagName, TagValue, HasValue: eq >= 0, Negate };
}

/** A comma-separated tag expression as `tagged?tag=a,b=c,~d` takes it. */
export function parseTagExpression(value: string | null | undefined, param = 'tag'): TagFilter[] {
  if (value === null || value === undefined || value.trim() === '') throw badParameter(param, 'is required');
  return value.split(',').map((part) => parseTag(part, param, true));
}

/** `a:1,b:2` → keys; at most 10,000 entries. */
export function parseInstanceList(value: string | null | undefined, param: string): InstanceKey[] {
  if (value === null || value === undefined || value.trim() === '') return [];
  const parts = value.split(',').filter((p) => p.trim() !== '');
  if (parts.length > 10_000) throw badParameter(param, 'more than 10000 instances');
  return parts.map((p) => parseKeyString(p.trim(), param));
}

/**
 * Free-text parameters (owner, reason, comments, aliases): bounded and without control characters.
 * Trailing whitespace and newlines are dropped first, as the reference does: the upstream bash
 * orchestrator-client URL-encodes `echo "$value"`, so every such argument arrives ending in %0A.
 */
export function parseText(value: string | null | undefined, param: string, max = 1024): string {
  const text = value?.replace(/\s+$/u, '');
  if (text === null || text === undefined || text === '') throw badParameter(param, 'is required');
  if (text.length > max) throw badParameter(param, `longer than ${max} characters`, text);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(text)) throw badParameter(param, 'contains control characters', text);
  return text;
}
