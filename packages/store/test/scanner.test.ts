import { describe, expect, it } from 'vitest';
import { type SnapshotEvent, SnapshotScanner } from '../src/snapshot/scanner.js';

const doc = {
  Keys: [{ Hostname: 'a', Port: 1 }],
  MinimalInstances: [
    { Key: { Hostname: 'a', Port: 1 }, MasterKey: { Hostname: '', Port: 0 }, ClusterName: 'a:1' },
  ],
  RecoveryDisabled: false,
  LeaderURI: 'http://x:3000',
  kv_store: {
    Columns: ['store_key', 'store_value'],
    Data: [
      ['k "1"', 'v\\1'],
      ['k2', null],
    ],
  },
  cluster_alias: { Columns: ['cluster_name', 'alias'], Data: [] },
};

function scanInPieces(text: string, size: number): SnapshotEvent[] {
  const s = new SnapshotScanner();
  const out: SnapshotEvent[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...s.push(text.slice(i, i + size)));
  out.push(...s.end());
  return out;
}

describe('SnapshotScanner', () => {
  const expected: SnapshotEvent[] = [
    { kind: 'item', key: 'Keys', value: { Hostname: 'a', Port: 1 } },
    { kind: 'item', key: 'MinimalInstances', value: doc.MinimalInstances[0] },
    { kind: 'field', key: 'RecoveryDisabled', value: false },
    { kind: 'field', key: 'LeaderURI', value: 'http://x:3000' },
    { kind: 'columns', table: 'kv_store', value: ['store_key', 'store_value'] },
    { kind: 'row', table: 'kv_store', value: ['k "1"', 'v\\1'] },
    { kind: 'row', table: 'kv_store', value: ['k2', null] },
    { kind: 'columns', table: 'cluster_alias', value: ['cluster_name', 'alias'] },
  ];

  it('emits the same events however the text is split (compact and indented JSON)', () => {
    for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
      for (const size of [1, 2, 3, 7, 64, text.length]) expect(scanInPieces(text, size)).toEqual(expected);
    }
  });

  it('rejects truncated input and trailing garbage', () => {
    const text = JSON.stringify(doc);
    expect(() => scanInPieces(text.slice(0, -1), 10)).toThrow(/truncated/);
    expect(() => scanInPieces(`${text} {}`, 10)).toThrow(/trailing/);
    expect(() => scanInPieces('[1]', 10)).toThrow(/must be an object/);
  });
});
