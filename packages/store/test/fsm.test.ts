import { afterAll, describe, expect, it } from 'vitest';
import { FsmError } from '../src/errors.js';
import { encodeCommand } from '../src/fsm/commands.js';
import { commandLog } from './commands.js';
import { tableHashes } from './hash.js';
import { Env, FakeClock, kinds, sampleInstance } from './helpers.js';

const env = new Env();
afterAll(() => env.dispose());

describe.each(kinds)('FSM on %s', (kind) => {
  it('applies the whole command log and every op is readable through the DAOs', async () => {
    const clock = new FakeClock(Date.parse('2026-01-10T10:04:00Z'));
    const store = await env.open(kind, clock);
    const effects: unknown[] = [];
    for (const [op, value, at] of commandLog) {
      const r = await store.applyCommand(op, value, at === undefined ? {} : { at });
      if (!r.ok) throw r.error;
      effects.push(...r.effects);
    }
    expect(effects).toEqual([
      { type: 'leader-uri', uri: 'http://node1:3000' },
      { type: 'health-report', token: 'tok-1' },
      { type: 'discover', key: { Hostname: 'm1', Port: 3306 } },
      { type: 'kv-put', key: 'mysql/master/m1-alias', value: 'r1:3306' },
      { type: 'async-snapshot' },
      { type: 'yield', node: 'node2:10008' },
      { type: 'yield-hint', hint: 'node3' },
      { type: 'forgotten', keys: [{ Hostname: 'm9', Port: 3306 }] },
      { type: 'forgotten', keys: [] },
    ]);
    expect(await store.fsmMeta.leaderURI()).toBe('http://node1:3000');
    // Duration 0 → 10 minutes; r9's downtime ended.
    expect(await store.downtime.active()).toEqual([
      {
        Key: { Hostname: 'm1', Port: 3306 },
        Owner: 'ops',
        Reason: 'maint',
        BeginsAt: '2026-01-10T10:01:00.000Z',
        EndsAt: '2026-01-10T10:11:00.000Z',
      },
    ]);
    expect(await store.candidates.active()).toEqual([
      {
        Key: { Hostname: 'r1', Port: 3306 },
        PromotionRule: 'prefer',
        LastSuggestedTimestamp: '2026-01-10T10:02:00.000Z',
        PromotionRuleExpiry: '2026-01-10T11:02:00.000Z',
      },
      {
        Key: { Hostname: 'r2', Port: 3306 },
        PromotionRule: 'must_not',
        LastSuggestedTimestamp: '2026-01-10T10:02:00.000Z',
        PromotionRuleExpiry: '2026-01-10T10:05:00.000Z',
      },
    ]);
    clock.advance(120);
    expect((await store.candidates.active()).map((c) => c.Key.Hostname)).toEqual(['r1']);
    expect(await store.hostnameUnresolve.all()).toEqual([{ hostname: 'm1', unresolvedHostname: 'vip' }]);
    expect(await store.pools.all()).toEqual({ web: [{ Hostname: 'r1', Port: 3306 }] });
    const detections = await store.recoveries.detections();
    expect(detections.map((d) => [d.Id, d.Key.Hostname, d.Analysis, d.IsActive])).toEqual([
      [2, 'm7', 'UnreachableMaster', true],
      [1, 'm1', 'DeadMaster', true],
    ]);
    expect(detections[1]?.AnalysisEntry).toMatchObject({ StructureAnalysis: ['NoFailoverSupport'] });
    const [second, first] = await store.recoveries.read();
    expect(first).toMatchObject({
      Id: 1,
      UID: 'uid-1',
      SuccessorKey: { Hostname: 'r1', Port: 3306 },
      SuccessorAlias: 'r1-alias',
      IsActive: false,
      IsSuccessful: true,
      LostReplicas: [{ Hostname: 'r2', Port: 3306 }],
      AllErrors: ['e1', 'e2'],
      RecoveryStartTimestamp: '2026-01-10T10:05:02.000Z',
      RecoveryEndTimestamp: '2026-01-10T10:05:09.000Z',
      Acknowledged: true,
      AcknowledgedBy: 'ops',
      AcknowledgedComment: 'ok',
      AcknowledgedAt: '2026-01-10T10:06:00.000Z',
      ProcessingNodeHostname: 'node1',
      Type: 'MasterRecovery',
    });
    expect(second).toMatchObject({
      Id: 2,
      UID: 'uid-2',
      Acknowledged: true,
      AcknowledgedComment: 'by uid',
      IsActive: false,
    });
    expect((await store.recoveries.steps('uid-1')).map((s) => [s.Id, s.Message])).toEqual([
      [1, 'will handle DeadMaster'],
      [2, 'promoted r1'],
    ]);
    expect(await store.kv.all()).toEqual([{ Key: 'mysql/master/m1-alias', Value: 'r1:3306' }]);
    expect(await store.globalRecovery.isDisabled()).toBe(true);
    expect(await store.tags.tags({ Hostname: 'r2', Port: 3306 })).toEqual([
      { TagName: 'flag', TagValue: '' },
    ]);
    expect(await store.tags.tagged('role')).toEqual([{ Hostname: 'r1', Port: 3306 }]);
    expect(await store.tags.value({ Hostname: 'r1', Port: 3306 }, 'role')).toBe('web');
    expect(await store.clusterAliases.all()).toEqual({ 'm1:3306': 'main' });
  });

  it('is idempotent where orchestrator is: a second write-recovery for the same uid or an active instance is ignored', async () => {
    const store = await env.open(kind);
    const rec = commandLog.find(([op]) => op === 'write-recovery')![1] as Record<string, unknown>;
    expect(await store.applyCommand('write-recovery', rec)).toMatchObject({
      ok: true,
      result: { written: true, id: 1 },
    });
    expect(await store.applyCommand('write-recovery', rec)).toMatchObject({
      ok: true,
      result: { written: false, id: 1 },
    });
    const other = { ...rec, UID: 'uid-x', RecoveryStartTimestamp: '2026-01-10T10:10:00Z' };
    expect(await store.applyCommand('write-recovery', other)).toMatchObject({
      ok: true,
      result: { written: false, blockedBy: 1 },
    });
    // After RecoveryPeriodBlockSeconds the period expires and a new recovery registers.
    const later = { ...rec, UID: 'uid-y', RecoveryStartTimestamp: '2026-01-10T11:05:03Z' };
    expect(await store.applyCommand('write-recovery', later)).toMatchObject({
      ok: true,
      result: { written: true, id: 2 },
    });
  });

  it('a replayed entry writes the same rows as its first apply (a restart replays the log)', async () => {
    // Found by the chaos test: replayed tags took the clock of later entries as last_updated.
    const store = await env.open(kind);
    const key = { Hostname: 'r1', Port: 3306 };
    const entries = [
      encodeCommand(
        'put-instance-tag',
        { Key: key, T: { TagName: 'a', TagValue: '1', HasValue: true, Negate: false } },
        Date.parse('2026-01-10T10:00:00Z'),
      ),
      encodeCommand(
        'put-instance-tag',
        { Key: key, T: { TagName: 'b', TagValue: '2', HasValue: true, Negate: false } },
        Date.parse('2026-01-10T10:05:00Z'),
      ),
    ];
    for (const [i, e] of entries.entries())
      expect((await store.applyEntry(e, { index: i + 1 })).ok).toBe(true);
    const first = await tableHashes(store.backend);
    for (const [i, e] of entries.entries())
      expect((await store.applyEntry(e, { index: i + 1 })).ok).toBe(true);
    expect(await tableHashes(store.backend)).toEqual(first);
  });

  it('registers one active detection per instance until FailureDetectionPeriodBlockMinutes pass', async () => {
    const store = await env.open(kind);
    const entry = {
      Analysis: 'DeadMaster',
      AnalyzedInstanceKey: { Hostname: 'm', Port: 3306 },
      IsActionableRecovery: true,
    };
    const at = (t: string) => ({ ...entry, DetectedAt: `2026-01-10T${t}Z` });
    expect(await store.applyCommand('register-failure-detection', at('10:00:00'))).toMatchObject({
      result: { registered: true, id: 1 },
    });
    expect(await store.applyCommand('register-failure-detection', at('10:59:59'))).toMatchObject({
      result: { registered: false, id: 1 },
    });
    expect(await store.applyCommand('register-failure-detection', at('11:00:01'))).toMatchObject({
      result: { registered: true, id: 2 },
    });
    const [latest, first] = await store.recoveries.detections();
    expect([latest?.IsActive, first?.IsActive]).toEqual([true, false]);
  });

  it('acknowledges by every selector', async () => {
    const store = await env.open(kind);
    const base = commandLog.find(([op]) => op === 'write-recovery')![1] as Record<string, unknown>;
    const entry = base.AnalysisEntry as Record<string, unknown>;
    const mk = (uid: string, host: string, cluster: string) => ({
      ...base,
      UID: uid,
      AnalysisEntry: {
        ...entry,
        AnalyzedInstanceKey: { Hostname: host, Port: 3306 },
        ClusterDetails: { ClusterName: cluster },
      },
    });
    for (const r of [
      mk('a', 'h1', 'c1'),
      mk('b', 'h2', 'c1'),
      mk('c', 'h3', 'c2'),
      mk('d', 'h4', 'c3'),
      mk('e', 'h5', 'c4'),
      mk('f', 'h6', 'c5'),
    ]) {
      expect((await store.applyCommand('write-recovery', r)).ok).toBe(true);
    }
    const ack = (sel: Record<string, unknown>) =>
      store.applyCommand('ack-recovery', {
        CreatedAt: '2026-01-10T12:00:00Z',
        Owner: 'me',
        Comment: 'c',
        ...sel,
      });
    expect(await ack({ ClusterName: 'c1' })).toMatchObject({ ok: true, result: 2 });
    expect(await ack({ Key: { Hostname: 'h3', Port: 3306 } })).toMatchObject({ ok: true, result: 1 });
    expect(await ack({ Id: 4 })).toMatchObject({ ok: true, result: 1 });
    expect(await ack({ UID: 'e' })).toMatchObject({ ok: true, result: 1 });
    expect(await ack({ AllRecoveries: true })).toMatchObject({ ok: true, result: 1 });
    expect(await ack({ AllRecoveries: true })).toMatchObject({ ok: true, result: 0 });
    const r = await ack({});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/no selector/);
  });

  it('takes the payload as a plain JSON value, raw yield strings, and whole envelopes', async () => {
    const store = await env.open(kind);
    expect(await store.applyCommand('leader-uri', 'http://a:3000')).toMatchObject({
      ok: true,
      result: 'http://a:3000',
    });
    expect(await store.applyCommand('forget', { Hostname: 'x', Port: 1 })).toMatchObject({ ok: true });
    // One encoding: JSON text or Go's base64 in place of the value is not a payload.
    expect(await store.applyCommand('forget', '{"Hostname":"x","Port":1}')).toMatchObject({
      ok: false,
      error: { code: 'MALFORMED_PAYLOAD' },
    });
    expect(await store.applyCommand('yield', 'node2:10008')).toMatchObject({
      effects: [{ type: 'yield', node: 'node2:10008' }],
    });
    expect(await store.applyCommand('yield', { node: 'node2' })).toMatchObject({
      ok: false,
      error: { code: 'MALFORMED_PAYLOAD' },
    });
    const entry = encodeCommand(
      'put-key-value',
      { Key: 'k', Value: 'v' },
      Date.parse('2026-01-10T00:00:00Z'),
    );
    expect(await store.applyEntry(entry, { index: 42 })).toMatchObject({
      ok: true,
      effects: [{ type: 'kv-put', key: 'k', value: 'v' }],
    });
    expect(await store.fsm.appliedIndex()).toBe(42);
    // With the entry's term, the position says whose log the backend followed (raft's start uses it).
    expect(await store.fsm.appliedPosition()).toEqual({ index: 42, term: 0 });
    expect(await store.applyEntry(entry, { index: 43, term: 5 })).toMatchObject({ ok: true });
    expect(await store.fsm.appliedPosition()).toEqual({ index: 43, term: 5 });
    expect(await store.applyEntry(JSON.stringify({ op: 'yield-hint', value: 'node3' }))).toMatchObject({
      ok: true,
      effects: [{ type: 'yield-hint', hint: 'node3' }],
    });
    expect(await store.kv.get('k')).toBe('v');
  });

  it('returns typed errors for unknown ops and malformed payloads, and writes nothing', async () => {
    const store = await env.open(kind);
    await store.instances.upsert([sampleInstance('m1', 3306)]);
    const before = await tableHashes(store.backend);
    const bad: [string, unknown, string, RegExp][] = [
      ['no-such-op', {}, 'UNKNOWN_OP', /unknown op "no-such-op"/],
      ['forget', { Hostname: 'm1' }, 'MALFORMED_PAYLOAD', /^forget: Port is required/],
      ['forget', 'garbage', 'MALFORMED_PAYLOAD', /payload must be a JSON object/],
      [
        'begin-downtime',
        { Key: { Hostname: 'm1', Port: 3306 }, Owner: 'o', Reason: 'r', Duration: 1 },
        'MALFORMED_PAYLOAD',
        /BeginsAt is required/,
      ],
      [
        'begin-downtime',
        { Key: { Hostname: 'm1', Port: 3306 }, BeginsAt: 'yesterday' },
        'MALFORMED_PAYLOAD',
        /BeginsAt must be an RFC 3339 time/,
      ],
      [
        'register-candidate',
        {
          Hostname: 'm1',
          Port: 3306,
          PromotionRule: 'best',
          LastSuggestedString: '2026-01-01T00:00:00Z',
          PromotionRuleExpiry: '2026-01-01T01:00:00Z',
        },
        'MALFORMED_PAYLOAD',
        /PromotionRule "best"/,
      ],
      [
        'submit-pool-instances',
        { Pool: 'p', DelimitedInstances: 'a:notaport' },
        'MALFORMED_PAYLOAD',
        /"a:notaport" is not host\[:port\]/,
      ],
      ['write-recovery', { UID: 'u' }, 'MALFORMED_PAYLOAD', /AnalysisEntry must be a JSON object/],
      [
        'write-recovery-step',
        { RecoveryUID: '', Message: 'm' },
        'MALFORMED_PAYLOAD',
        /RecoveryUID must not be empty/,
      ],
      ['put-key-value', { Value: 'v' }, 'MALFORMED_PAYLOAD', /Key is required/],
      [
        'put-instance-tag',
        { Key: { Hostname: 'm1', Port: 3306 }, T: {} },
        'MALFORMED_PAYLOAD',
        /TagName is required/,
      ],
      ['set-cluster-alias-manual-override', ['only-one'], 'MALFORMED_PAYLOAD', /\[clusterName, alias\]/],
      ['forget-cluster', '', 'MALFORMED_PAYLOAD', /must not be empty/],
      ['yield', '', 'MALFORMED_PAYLOAD', /must not be empty/],
    ];
    for (const [op, value, code, message] of bad) {
      const r = await store.applyCommand(op, value);
      expect(r.ok, op).toBe(false);
      if (r.ok) continue;
      expect(r.error).toBeInstanceOf(FsmError);
      expect(r.error.code, op).toBe(code);
      expect(r.error.op).toBe(op);
      expect(r.error.message).toMatch(message);
    }
    const envelope = await store.applyEntry('not json');
    expect(envelope).toMatchObject({ ok: false, error: { code: 'MALFORMED_ENVELOPE' } });
    expect(await tableHashes(store.backend)).toEqual(before);
  });

  it('rolls back and reports a backend failure without throwing', async () => {
    const store = await env.open(kind);
    await store.backend.exec('DROP TABLE kv_store');
    const r = await store.applyCommand('put-key-value', { Key: 'k', Value: 'v' });
    expect(r).toMatchObject({ ok: false, error: { code: 'APPLY_FAILED', op: 'put-key-value' } });
  });
});
