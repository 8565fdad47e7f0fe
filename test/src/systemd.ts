// What the deploy test needs of systemd without a running systemd: its own tools (systemd-analyze,
// systemd-sysusers), and readers for unit files and EnvironmentFile= files, so the test can start
// the daemon as the unit says (ExecStart=, User=, EnvironmentFile=, WorkingDirectory=).
import { spawnSync } from 'node:child_process';

/** A unit file: section → key → values in order (a key may repeat, e.g. SystemCallFilter=). */
export type UnitFile = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

/** Parses systemd's INI syntax: [Section], Key=Value, `#`/`;` comments, `\` line continuations. */
export function parseUnitFile(text: string): UnitFile {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!, current);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || current === undefined)
      throw new Error(`unit line ${i + 1} is not Key=Value in a section: ${raw}`);
    const key = line.slice(0, eq).trim();
    const values = current.get(key) ?? [];
    values.push(line.slice(eq + 1).trim());
    current.set(key, values);
  });
  return sections;
}

/** The last value of `key` in `section` (the one systemd applies for single-valued keys). */
export function unitValue(unit: UnitFile, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

/**
 * An EnvironmentFile=: NAME=value lines, `#`/`;` comments, values optionally in single or double
 * quotes (the subset of systemd's syntax the example uses; anything else is refused).
 */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`environment file line ${i + 1} is not NAME=value: ${raw}`);
    const value = match[2]!;
    const quoted = /^(["'])(.*)\1$/.exec(value);
    env[match[1]!] = quoted ? quoted[2]! : value;
  });
  return env;
}

export interface ToolRun {
  readonly status: number;
  /** stdout and stderr together. */
  readonly output: string;
}

/**
 * Runs one of systemd's tools. A missing tool is an error that says how to get it (the test fails
 * with it rather than skipping): scripts/setup.sh installs the systemd package.
 */
export function runSystemdTool(
  tool: 'systemd-analyze' | 'systemd-sysusers',
  args: readonly string[],
): ToolRun {
  const run = spawnSync(tool, [...args], { encoding: 'utf8' });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${tool} is not installed: apt-get install systemd (scripts/setup.sh does it)`
        : `${tool} could not run: ${run.error.message}`,
    );
  }
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}
