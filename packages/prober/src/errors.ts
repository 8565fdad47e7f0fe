/** Errors raised by the prober; `code` is stable for callers to switch on. */
export class ProberError extends Error {
  constructor(
    readonly code: 'PROBE_FAILED' | 'PROBE_TIMEOUT' | 'PROBE_IGNORED' | 'CONFIG_INVALID' | 'STOPPED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProberError';
  }
}
