// reload-configuration on this node: re-reads the config file (and the reference's optional extra
// file), and applies the keys that can change at run time to every part that uses them, all in one
// synchronous step; keys read once at start keep their running value (never half-applied) and are
// named in the answer. An invalid file changes nothing. Which keys are which: config/reload.ts.
import type { ConfigReloader, ConfigReloadReport, ReloadableApiOptions } from '@orchestrator/api';
import type { ProberConfig } from '@orchestrator/prober';
import {
  classifyChanges,
  type DerivedConfig,
  type Env,
  type KeyName,
  loadConfigFiles,
  type OrchestratorConfig,
} from './config/index.js';
import { proberConfigFrom } from './discovery.js';
import type { Logger } from './logger.js';
import { recoveryConfigFrom } from './recovery.js';

export interface ReloadTargets {
  /** The daemon's config object: parts that read it on use see the new values. */
  readonly config: OrchestratorConfig;
  readonly derived: DerivedConfig;
  /** The recovery engine's own config (read at every step). */
  readonly engine: { readonly config: object };
  readonly discovery: { updateConfig(changes: Partial<ProberConfig>): void };
  readonly api: { reconfigure(changes: Partial<ReloadableApiOptions>): void };
  readonly log: Logger;
}

/** Config key → the API option it sets. */
const API_OPTIONS: Partial<Record<KeyName, keyof ReloadableApiOptions>> = {
  ReadOnly: 'readOnly',
  RecoverMasterClusterFilters: 'recoverMasterClusterFilters',
  RecoverIntermediateMasterClusterFilters: 'recoverIntermediateMasterClusterFilters',
  RecoveryIgnoreHostnameFilters: 'recoveryIgnoreHostnameFilters',
  OSCIgnoreHostnameFilters: 'oscIgnoreHostnameFilters',
};

/** The values of `keys` that `source` has, as a partial of it. */
function pick<T extends object>(source: T, keys: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in source) out[k] = (source as Record<string, unknown>)[k];
  return out as Partial<T>;
}

export class ConfigReload implements ConfigReloader {
  constructor(
    private readonly file: string,
    private readonly t: ReloadTargets,
    private readonly env: Env = process.env,
  ) {}

  reload(extraFile?: string): ConfigReloadReport {
    const files = extraFile === undefined ? [this.file] : [this.file, extraFile];
    // Throws ConfigError naming every bad key: nothing is applied then.
    const { config: next, warnings } = loadConfigFiles(files, this.env);
    const changes = classifyChanges(this.t.config, next);
    const applied = Object.keys(changes.applied) as KeyName[];
    if (applied.length > 0) {
      // One synchronous step: no request, probe or recovery step sees a mix of old and new values.
      Object.assign(this.t.config, changes.applied);
      Object.assign(this.t.engine.config, pick(recoveryConfigFrom(this.t.config, this.t.derived), applied));
      this.t.discovery.updateConfig(pick(proberConfigFrom(this.t.config), applied));
      const api: Record<string, unknown> = {};
      for (const key of applied) {
        const option = API_OPTIONS[key];
        if (option !== undefined) api[option] = this.t.config[key];
      }
      this.t.api.reconfigure(api as Partial<ReloadableApiOptions>);
      if (applied.includes('LogLevel')) this.t.log.level = this.t.config.LogLevel;
    }
    this.t.log.info(
      { files, applied, restartRequired: changes.restartRequired, ignored: changes.ignored, warnings },
      'configuration reloaded',
    );
    return {
      Files: files,
      Applied: applied,
      RestartRequired: changes.restartRequired,
      Ignored: changes.ignored,
    };
  }
}
