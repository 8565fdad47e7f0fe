#!/usr/bin/env bash
# Creates the skeleton of a workspace package: scripts/new-package.sh packages/NAME "one-line purpose"
set -euo pipefail
dir=$1; purpose=${2:-}
name=@orchestrator/$(basename "$dir")
mkdir -p "$dir/src"
[ -f "$dir/package.json" ] || cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "description": "$purpose",
  "type": "module",
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" }
  },
  "files": ["dist", "README.md"],
  "scripts": {
    "build": "tsc -p tsconfig.json",
    "typecheck": "tsc -p tsconfig.check.json",
    "test": "vitest run"
  }
}
JSON
[ -f "$dir/tsconfig.json" ] || cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts", "src/**/*.bench.ts"]
}
JSON
[ -f "$dir/tsconfig.check.json" ] || cat > "$dir/tsconfig.check.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "rootDir": "." },
  "include": ["src", "test", "bench", "*.ts"]
}
JSON
[ -f "$dir/vitest.config.ts" ] || cat > "$dir/vitest.config.ts" <<'TS'
import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.mjs';

export default defineConfig({ test: sharedTestConfig() });
TS
echo "created $dir ($name)"
