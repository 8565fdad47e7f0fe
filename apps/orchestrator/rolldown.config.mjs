// Bundles the daemon (tsc's dist/cli.js and everything it imports, workspace packages and most of
// node_modules) into one file, dist/orchestrator.mjs, the `orchestrator` bin. Three daemons starting
// together on two cores spent a third of their start resolving, reading and compiling ~600 modules;
// one file cuts cold start by ~25 % (see the README). It sits beside cli.js, so paths taken from
// import.meta.url (package.json, the web UI's files) resolve the same in both.
import { defineConfig } from 'rolldown';

// Left to node_modules at run time: native addons, modules that start worker threads by file path
// (pino's transports), and modules our code loads lazily with createRequire or import() (the KV
// store clients load only when a store is configured; etcd3 also reads its .proto files by path).
const external = [
  'better-sqlite3',
  'pino',
  'pino-pretty',
  'thread-stream',
  'prom-client',
  '@koa/send',
  'mysql2',
  'node-zookeeper-client',
  'etcd3',
];

const shared = {
  platform: 'node',
  external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)),
  logLevel: 'warn',
  onLog(level, log, handler) {
    // Direct eval inside a dependency (depd) is harmless here; everything else is reported.
    if (log.code === 'EVAL') return;
    handler(level, log);
  },
};
const output = {
  codeSplitting: false,
  sourcemap: false,
  // V8 keeps a script's source in memory for as long as the script lives, and one non-ASCII
  // character makes it a two-byte string: escaped to ASCII and without comments, the source
  // takes ~2 MB of heap instead of ~6 MB.
  charset: 'ascii',
  comments: false,
};

export default defineConfig([
  // The command line and daemon as one CommonJS file: vm.Script can then run it with a V8 code
  // cache (launcher.ts), which ES modules cannot have on Node 20.
  // External modules loaded lazily become require() calls: an import() inside code that V8 restored
  // from a code cache has lost the host options that resolve it, and fails.
  {
    ...shared,
    input: 'dist/cli.js',
    output: { ...output, file: 'dist/orchestrator.cjs', format: 'cjs', dynamicImportInCjs: false },
  },
  // The bin: a small ES module that loads the above through the code cache.
  {
    ...shared,
    input: 'dist/launcher.js',
    output: { ...output, file: 'dist/orchestrator.mjs', format: 'esm' },
  },
]);
