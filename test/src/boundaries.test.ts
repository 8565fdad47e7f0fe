// The libraries' dependency boundaries (architecture.md): consumers of the API, prober, recovery,
// topology and model packages install no native module those packages do not use, and the raft
// library knows nothing of MySQL. Checked on the package manifests and on the built code.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
}

const manifests = new Map<string, { dir: string; manifest: Manifest }>();
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group))) {
    const file = join(root, group, name, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    manifests.set(manifest.name, { dir: join(root, group, name), manifest });
  }
}

/** Every package a package pulls in at run time, following workspace packages. */
function runtimeClosure(name: string, seen = new Set<string>()): Set<string> {
  for (const dep of Object.keys(manifests.get(name)?.manifest.dependencies ?? {})) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    if (manifests.has(dep)) runtimeClosure(dep, seen);
  }
  return seen;
}

function builtFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) out.push(path);
    }
  };
  if (existsSync(join(dir, 'dist'))) walk(join(dir, 'dist'));
  return out;
}

describe('package boundaries', () => {
  it.each([
    '@orchestrator/api',
    '@orchestrator/prober',
    '@orchestrator/recovery',
    '@orchestrator/topology',
    '@orchestrator/model',
  ])('%s pulls in neither the store nor a SQLite driver', (name) => {
    const closure = runtimeClosure(name);
    expect([...closure].filter((d) => d === '@orchestrator/store' || d === 'better-sqlite3')).toEqual([]);
    const imports = builtFiles(manifests.get(name)!.dir).filter((f) =>
      /from ['"]@orchestrator\/store['"]|require\(['"]@orchestrator\/store['"]\)/.test(
        readFileSync(f, 'utf8'),
      ),
    );
    expect(imports).toEqual([]);
  });

  it('the raft library depends on no other package of this repository', () => {
    expect(
      [...runtimeClosure('@orchestrator/consensus')].filter((d) => d.startsWith('@orchestrator/')),
    ).toEqual([]);
  });

  it('@orchestrator/model has no dependencies at all', () => {
    expect(manifests.get('@orchestrator/model')?.manifest.dependencies ?? {}).toEqual({});
  });
});
