// Human-readable descriptions of plan steps (audit lines and the web UI's plan preview).
import { keyString } from './rules.js';
import type { CoordinatesOf, Step } from './types.js';

const k = keyString;

function coordinates(c: CoordinatesOf): string {
  return c.which === 'self'
    ? `the binlog position of ${k(c.of)}`
    : `the position ${k(c.of)} executed from its master`;
}

export function describeStep(step: Step): string {
  switch (step.op) {
    case 'stop-replication':
      return `stop replication on ${k(step.instance)}`;
    case 'start-replication':
      return `start replication on ${k(step.instance)}`;
    case 'start-until':
      return `run ${k(step.instance)} until ${coordinates(step.until)}`;
    case 'sync-siblings':
      return `bring ${k(step.instance)} and ${k(step.sibling)} to the same position`;
    case 'wait-gtid':
      return `wait until ${k(step.instance)} has applied every GTID of ${k(step.of)}`;
    case 'change-master-gtid':
      return `point ${k(step.instance)} at ${k(step.master)} with GTID auto-positioning`;
    case 'change-master-coordinates':
      return `point ${k(step.instance)} at ${k(step.master)} at ${coordinates(step.at)}`;
    case 'align-gtid-slave-pos':
      return `set gtid_slave_pos of ${k(step.instance)} to its gtid_current_pos`;
    case 'match-below':
      return `match ${k(step.instance)} below ${k(step.master)} by Pseudo-GTID`;
  }
}
