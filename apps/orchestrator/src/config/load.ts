// loadConfig: read orchestrator.conf.json from disk and parse it.
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, type Env, type ParsedConfig, parseConfig } from './parse.js';

/**
 * Reads and parses `path`; with no path, the defaults (as an empty file would give). Throws
 * ConfigError naming the file for unreadable files, bad JSON and invalid values.
 */
export function loadConfig(path: string | undefined, env: Env = process.env): ParsedConfig {
  if (path === undefined) return parseConfig({}, env, 'default config');
  return loadConfigFiles([path], env);
}

/**
 * Reads several files, later ones overriding earlier ones key by key (the reference's
 * `config.Reload(extraFile)`), and parses the result as one config.
 */
export function loadConfigFiles(paths: readonly string[], env: Env = process.env): ParsedConfig {
  const source = paths.join(' + ');
  const jsons = paths.map(readJson);
  let merged: unknown = jsons[0];
  if (jsons.length > 1) {
    const out: Record<string, unknown> = {};
    jsons.forEach((json, i) => {
      if (json === null || typeof json !== 'object' || Array.isArray(json)) {
        throw new ConfigError([{ key: '(root)', message: `${paths[i]} must hold a JSON object` }], paths[i]);
      }
      Object.assign(out, json);
    });
    merged = out;
  }
  const parsed = parseConfig(merged, env, source);
  const missing = missingFiles(parsed.config);
  if (missing.length > 0) throw new ConfigError(missing, source);
  return parsed;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      [{ key: '(file)', message: `cannot read ${path}: ${(err as Error).message}` }],
      path,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      [{ key: '(file)', message: `${path} is not valid JSON: ${(err as Error).message}` }],
      path,
    );
  }
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
