// Structured logs: JSON lines by default (for log shippers), human-readable when stderr is a
// terminal or LogFormat is "text". Level from config (LogLevel) or the --debug/--verbose flags.
import pino, { type Logger } from 'pino';

export type LogFormat = 'json' | 'pretty' | 'text' | 'auto';
export type { Logger };

export interface LoggerOptions {
  readonly level?: string;
  readonly format?: LogFormat;
  readonly name?: string;
  /** Fields added to every line (e.g. the node's raft address). */
  readonly base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? 'auto';
  const human =
    format === 'text' || format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
  const base = { name: options.name ?? 'orchestrator', ...options.base };
  if (human) {
    return pino({
      level: options.level ?? 'info',
      base,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(
    { level: options.level ?? 'info', base, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination(2),
  );
}
