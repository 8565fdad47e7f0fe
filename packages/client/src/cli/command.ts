// The shape of one orchestrator-client command and what it gets to run.
import type { OrchestratorClient } from '../client.js';
import type { InstanceKey } from '../types.js';
import type { CliOptions } from './args.js';

/** Inputs a command cannot run without; checked before any HTTP call. */
export type Need =
  | 'instance'
  /** -i as free text (a search string, a comma-separated list), not parsed as a key. */
  | 'instance-text'
  | 'destination'
  | 'hint'
  | 'owner'
  | 'reason'
  | 'duration'
  | 'promotion-rule'
  | 'tag'
  | 'pool'
  | 'hostname'
  | 'binlog'
  | 'seconds'
  | 'path'
  | 'query';

export interface CommandContext {
  client: OrchestratorClient;
  opts: CliOptions;
  /** -i parsed with the default port; present whenever the command needs 'instance'. */
  instance: InstanceKey | undefined;
  /** -d parsed with the default port, when given. */
  destination: InstanceKey | undefined;
  /** Cluster hint: -a alias, else -i as typed (a cluster name or `host:port` of a member). */
  hint: string;
}

export interface Command {
  name: string;
  summary: string;
  needs?: readonly Need[];
  /** Returns the lines to print (each followed by a newline); may contain newlines itself. */
  run(ctx: CommandContext): Promise<string[]>;
}

export function command(name: string, summary: string, needs: readonly Need[], run: Command['run']): Command {
  return { name, summary, needs, run };
}

/** The -i key of a command that declared the need (validated before run). */
export function key(ctx: CommandContext): InstanceKey {
  if (!ctx.instance) throw new Error('instance was not validated');
  return ctx.instance;
}

/** The -d key of a command that declared the need (validated before run). */
export function dest(ctx: CommandContext): InstanceKey {
  if (!ctx.destination) throw new Error('destination was not validated');
  return ctx.destination;
}
