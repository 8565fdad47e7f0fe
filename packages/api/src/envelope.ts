// orchestrator's response envelope: {"Code":"OK"|"ERROR","Message":string,"Details":any}.

export interface Envelope {
  Code: 'OK' | 'ERROR';
  Message: string;
  Details: unknown;
}

export function okEnvelope(message: string, details: unknown = null): Envelope {
  return { Code: 'OK', Message: message, Details: details };
}

export function errorEnvelope(message: string, details: unknown = null): Envelope {
  return { Code: 'ERROR', Message: message, Details: details };
}

/** A handler result with an explicit HTTP status (anything else a handler returns is a 200 body). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export function reply(status: number, body: unknown): Reply {
  return new Reply(status, body);
}
