// loadConfig: read orchestrator.conf.json from disk and parse it.
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, type Env, type ParsedConfig, parseConfig } from './parse.js';

/**
 * Reads and parses `path`; with no path, the defaults (as an empty file would give). Throws
 * ConfigError naming the file for unreadable files, bad JSON and invalid values.
 */
export function loadConfig(path: string | undefined, env: Env = process.env): ParsedConfig {
  if (path === undefined) return parseConfig({}, env, 'default config');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      [{ key: '(file)', message: `cannot read ${path}: ${(err as Error).message}` }],
      path,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      [{ key: '(file)', message: `${path} is not valid JSON: ${(err as Error).message}` }],
      path,
    );
  }
  const parsed = parseConfig(json, env, path);
  const missing = missingFiles(parsed.config);
  if (missing.length > 0) throw new ConfigError(missing, path);
  return parsed;
}

/** TLS files named by the config that do not exist (checked here, so parseConfig stays pure). */
function missingFiles(config: ParsedConfig['config']): { key: string; message: string }[] {
  const keys = [
    'SSLCertFile',
    'SSLPrivateKeyFile',
    'SSLCAFile',
    'RaftTLSCertFile',
    'RaftTLSKeyFile',
    'RaftTLSCAFile',
  ] as const;
  return keys
    .filter((key) => config[key] !== '' && !existsSync(config[key]))
    .map((key) => ({ key, message: `file ${config[key]} does not exist` }));
}
