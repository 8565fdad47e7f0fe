// The raft log entry of a replicated command: `{"op":…,"value":…,"at":…}` as JSON bytes (reference
// §1.4). `at` is the proposer's clock, so appliers never read their own clock (determinism).
const encoder = new TextEncoder();

export function encodeCommand(op: string, value: unknown, at: number = Date.now()): Uint8Array {
  return encoder.encode(JSON.stringify({ op, value, at }));
}
