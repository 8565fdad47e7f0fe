// A BinlogSource on a live server: SHOW BINARY LOGS and SHOW BINLOG EVENTS IN … FROM … LIMIT ….
import type { InstanceKey } from '../types.js';
import type { BinlogEvent } from './events.js';
import type { BinlogSource } from './match.js';

type Query = (key: InstanceKey, sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

export function mysqlBinlogSource(query: Query, key: InstanceKey): BinlogSource {
  let files: Promise<string[]> | undefined;
  return {
    name: `${key.Hostname}:${key.Port}`,
    files() {
      files ??= query(key, 'SHOW BINARY LOGS').then((rows) => rows.map((r) => str(r.Log_name)));
      return files;
    },
    async events(file, from, limit): Promise<BinlogEvent[]> {
      const rows = await query(
        key,
        `SHOW BINLOG EVENTS IN ? FROM ${Math.max(0, Math.trunc(from))} LIMIT ${Math.max(1, Math.trunc(limit))}`,
        [file],
      );
      return rows.map((r) => ({
        file: str(r.Log_name) || file,
        pos: Number(r.Pos),
        end: Number(r.End_log_pos),
        type: str(r.Event_type),
        info: str(r.Info),
      }));
    },
  };
}
