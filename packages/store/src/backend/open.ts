import { type StoreConfig, storeDefaults } from '../config.js';
import { BackendError } from '../errors.js';
import { expandEnv, readMyCnfClient } from './mycnf.js';
import { openMysql, sslFromConfig } from './mysql.js';
import { openSqlite } from './sqlite.js';
import type { Backend } from './types.js';

/** True when BackendDB selects SQLite (any value containing "sqlite", as orchestrator does). */
export function isSqlite(config: StoreConfig): boolean {
  return (config.BackendDB ?? storeDefaults.BackendDB).toLowerCase().includes('sqlite');
}

/** Opens the backend BackendDB names (no schema work; see openStore for that). */
export async function openBackend(config: StoreConfig): Promise<Backend> {
  if (isSqlite(config)) {
    if (!config.SQLite3DataFile) {
      throw new BackendError('BACKEND_CONFIG', '', 'SQLite3DataFile is required when BackendDB is sqlite');
    }
    return openSqlite({
      file: config.SQLite3DataFile,
      busyTimeoutMillis: config.SQLite3BusyTimeoutMillis ?? storeDefaults.SQLite3BusyTimeoutMillis,
    });
  }
  let user = config.MySQLOrchestratorUser ?? '';
  let password = expandEnv(config.MySQLOrchestratorPassword ?? '');
  if (config.MySQLOrchestratorCredentialsConfigFile) {
    const creds = readMyCnfClient(config.MySQLOrchestratorCredentialsConfigFile);
    if (creds.user !== undefined) user = creds.user;
    if (creds.password !== undefined) password = creds.password;
  }
  const ssl = sslFromConfig(config);
  return openMysql({
    host: config.MySQLOrchestratorHost ?? storeDefaults.MySQLOrchestratorHost,
    port: config.MySQLOrchestratorPort ?? storeDefaults.MySQLOrchestratorPort,
    database: config.MySQLOrchestratorDatabase ?? storeDefaults.MySQLOrchestratorDatabase,
    user,
    password,
    maxConnections:
      config.MySQLOrchestratorMaxPoolConnections ?? storeDefaults.MySQLOrchestratorMaxPoolConnections,
    connectTimeoutSeconds: config.MySQLConnectTimeoutSeconds ?? storeDefaults.MySQLConnectTimeoutSeconds,
    readTimeoutSeconds:
      config.MySQLOrchestratorReadTimeoutSeconds ?? storeDefaults.MySQLOrchestratorReadTimeoutSeconds,
    createDatabase: config.MySQLOrchestratorCreateDatabase ?? storeDefaults.MySQLOrchestratorCreateDatabase,
    rejectReadOnly: config.MySQLOrchestratorRejectReadOnly ?? false,
    ...(ssl ? { ssl } : {}),
  });
}
