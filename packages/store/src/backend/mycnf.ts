import { readFileSync } from 'node:fs';
import { BackendError } from '../errors.js';

/** Reads `user` and `password` from the [client] section of a my.cnf-style file. */
export function readMyCnfClient(file: string): { user?: string; password?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new BackendError(
      'BACKEND_CONFIG',
      file,
      `MySQLOrchestratorCredentialsConfigFile ${file} cannot be read`,
      { cause },
    );
  }
  return parseMyCnfClient(text);
}

export function parseMyCnfClient(text: string): { user?: string; password?: string } {
  const out: { user?: string; password?: string } = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = (header[1] ?? '').trim().toLowerCase();
      continue;
    }
    if (section !== 'client') continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
    }
    if (key === 'user') out.user = value;
    if (key === 'password') out.password = value;
  }
  return out;
}

/** Expands `${VAR}` references from the environment (orchestrator does this for the password). */
export function expandEnv(value: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? '');
}
