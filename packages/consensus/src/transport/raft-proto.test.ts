import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { Message } from '../types.js';
import { DEFAULT_PROTO_PATH, decodeBatch, encodeBatch, loadCodec, toWire } from './codec.js';
import { RAFT_PROTO_DESCRIPTOR } from './raft-proto.generated.js';

describe('the embedded raft.proto descriptor', () => {
  it('is proto/raft.proto as protobufjs parses it (else run: npm run gen:proto -w @orchestrator/consensus)', () => {
    const parsed = protobuf.parse(readFileSync(DEFAULT_PROTO_PATH, 'utf8')).root.toJSON();
    expect(RAFT_PROTO_DESCRIPTOR).toEqual(JSON.parse(JSON.stringify(parsed)));
  });

  it('encodes bytes that the codec loaded from the .proto file decodes to the same message', () => {
    const message: Message = {
      type: 'append',
      from: 'a:10008',
      to: 'b:10008',
      term: 7,
      index: 41,
      logTerm: 6,
      commit: 40,
      entries: [{ index: 42, term: 7, kind: 'normal', data: new Uint8Array([1, 2, 3]) }],
    };
    const embedded = loadCodec();
    const fromFile = loadCodec(DEFAULT_PROTO_PATH);
    expect(embedded).not.toBe(fromFile);
    const bytes = encodeBatch(embedded, [toWire(message)]);
    expect(decodeBatch(fromFile, bytes)).toEqual(decodeBatch(embedded, bytes));
    expect(decodeBatch(fromFile, bytes)[0]).toMatchObject({ type: 'append', term: 7, commit: 40 });
  });
});
