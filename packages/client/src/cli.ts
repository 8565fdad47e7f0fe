#!/usr/bin/env node
// The orchestrator-client executable: runs main() on the real process.
import { main } from './cli/main.js';

main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `orchestrator-client: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
