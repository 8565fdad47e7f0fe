// Runs orchestrator-client in-process with captured output: no sleeps between retries by default.
import { type CliIO, main } from '../cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: Partial<CliIO> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, env, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    sleep: async () => {},
    pid: 4242,
    ...io,
  });
  return { code, stdout, stderr };
}
