// Timestamps are stored as UTC text 'YYYY-MM-DD HH:MM:SS.mmm' on both backends (DATETIME(3) on
// MySQL, TEXT on SQLite): they compare correctly as strings, dump identically, and never depend on
// a session time zone. The API-facing form is ISO-8601 ('2026-01-02T03:04:05.000Z').

/** A clock returning epoch milliseconds; injected so reads and tests never depend on wall time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** Epoch ms → stored form. */
export function dbTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Parses ISO-8601 or the stored form; NaN when it is not a time. */
export function parseTime(value: string): number {
  const s = value.includes('T') ? value : `${value.replace(' ', 'T')}Z`;
  return Date.parse(s);
}

/** ISO or stored text → stored form, or null for '' / null / a zero Go time. */
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const DB_MS = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/;

export function toDbTime(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '' || value.startsWith('0001-01-01')) return null;
  // Fast path for the canonical ISO form every probe writes (no Date round trip).
  if (ISO_MS.test(value)) return `${value.slice(0, 10)} ${value.slice(11, 23)}`;
  const ms = parseTime(value);
  if (Number.isNaN(ms)) return null;
  return dbTime(ms);
}

/** Stored form (or null) → ISO-8601, '' when null. */
export function fromDbTime(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string' && DB_MS.test(value)) return `${value.slice(0, 10)}T${value.slice(11)}Z`;
  const ms = parseTime(String(value));
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}
