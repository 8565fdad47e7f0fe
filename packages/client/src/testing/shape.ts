// Comparing the shape of a real answer with a fixture's answer, for running the fixtures against
// the daemon: the values differ, but every field the fixture has must exist with the same JSON type.

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Lists where `actual` lacks a field of `expected` or has it with another JSON type, as
 * `path: expected type, got type`. Arrays are compared by their first elements when both have one.
 * A `null` on either side matches anything (orchestrator uses null for empty lists and absent values).
 */
export function shapeMismatches(expected: unknown, actual: unknown, path = '$'): string[] {
  const want = jsonType(expected);
  const got = jsonType(actual);
  if (want === 'null' || got === 'null') return [];
  if (want !== got) return [`${path}: expected ${want}, got ${got}`];
  if (want === 'array') {
    const [e] = expected as unknown[];
    const [a] = actual as unknown[];
    return e === undefined || a === undefined ? [] : shapeMismatches(e, a, `${path}[0]`);
  }
  if (want !== 'object') return [];
  const exp = expected as Record<string, unknown>;
  const act = actual as Record<string, unknown>;
  return Object.keys(exp).flatMap((k) =>
    k in act ? shapeMismatches(exp[k], act[k], `${path}.${k}`) : [`${path}.${k}: missing`],
  );
}
