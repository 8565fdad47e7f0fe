#!/usr/bin/env node
// The `orchestrator` bin (bundled as dist/orchestrator.mjs). It runs the CommonJS bundle of the
// command line (dist/orchestrator.cjs) through V8's code cache, the compile cache Node 20 offers:
// `module.enableCompileCache` and NODE_COMPILE_CACHE only exist from Node 22, but vm.Script takes
// and produces V8 code caches. The first start compiles as usual and, a few seconds later (so
// that the functions start-up ran are compiled too), writes the cache beside the bundle; later
// starts skip parsing and compiling what the cache holds. The cache file is named after the
// bundle's size and mtime and Node's version (V8 checks only a source's length), and is skipped
// when the directory is not writable or ORCHESTRATOR_COMPILE_CACHE=off.
import './heap-sizing.js'; // V8 flags are part of a code cache's key: set them before compiling
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const WRITE_AFTER_MS = 3000;

const dir = dirname(fileURLToPath(import.meta.url));
const bundle = join(dir, 'orchestrator.cjs');
const source = readFileSync(bundle, 'utf8').replace(/^#!.*/, '');
const stat = statSync(bundle);
const cacheName = `orchestrator.cjs.${stat.size}-${Math.round(stat.mtimeMs)}-${process.version}.v8-cache`;
const cacheFile = join(dir, cacheName);
const enabled = process.env.ORCHESTRATOR_COMPILE_CACHE !== 'off';

let cachedData: Buffer | undefined;
if (enabled) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // first start of this build: compiled below, cached later
  }
}
// No importModuleDynamically: the bundle has no import() (rolldown turns the lazy loads of external
// modules into require() calls), and functions restored from a code cache could not resolve one.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
const cjs = { exports: {} as { main: (argv: readonly string[]) => void } };
(script.runInThisContext() as (...args: unknown[]) => void)(
  cjs.exports,
  createRequire(bundle),
  cjs,
  bundle,
  dir,
);

if (enabled && (cachedData === undefined || script.cachedDataRejected)) {
  setTimeout(() => writeCache(), WRITE_AFTER_MS).unref();
}
cjs.exports.main(process.argv.slice(2));

function writeCache(): void {
  try {
    const temp = `${cacheFile}.${process.pid}`;
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
    // Caches of earlier builds or Node versions are of no further use.
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.v8-cache') && name !== cacheName) unlinkSync(join(dir, name));
    }
  } catch {
    // a read-only install: every start compiles, as without a cache
  }
}
