import { describe, expect, it } from 'vitest';
import type { Recovery } from './model';
import { buildTimeline, findDetection, formatOffset } from './timeline';

const recovery = (extra: Partial<Recovery> = {}): Recovery => ({
  Id: 3,
  UID: 'u-3',
  AnalysisEntry: { Analysis: 'DeadMaster', AnalyzedInstanceKey: { Hostname: 'h', Port: 1 } },
  SuccessorKey: { Hostname: 'h', Port: 2 },
  IsActive: true,
  IsSuccessful: true,
  AllErrors: [],
  RecoveryStartTimestamp: '2026-12-07T10:00:01.000Z',
  RecoveryEndTimestamp: '2026-12-07T10:00:03.500Z',
  ProcessingNodeHostname: 'orc1',
  Acknowledged: false,
  AcknowledgedBy: '',
  AcknowledgedComment: '',
  ...extra,
});
const steps = [
  { Id: 11, AuditAt: '2026-12-07T10:00:02.000Z', Message: 'promoting h:2' },
  { Id: 10, AuditAt: '2026-12-07T10:00:01.200Z', Message: 'will handle DeadMaster on h:1' },
  { Id: 12, AuditAt: '2026-12-07T10:00:02.000Z', Message: 'relocate h:3: failed: timeout' },
];
const detection = {
  Id: 4,
  Analysis: 'DeadMaster',
  Key: { Hostname: 'h', Port: 1 },
  RecoveryStartTimestamp: '2026-12-07T10:00:00.800Z',
};

describe('buildTimeline', () => {
  it('orders detection, start, steps (by time, then id) and end, with offsets from the detection', () => {
    const t = buildTimeline(recovery(), steps, detection);
    expect(t.events.map((e) => [e.kind, e.offsetMs, e.text])).toEqual([
      ['detection', 0, 'failure detected: DeadMaster on h:1'],
      ['start', 200, 'recovery #3 started: DeadMaster on h:1 (by orc1)'],
      ['step', 400, 'will handle DeadMaster on h:1'],
      ['step', 1200, 'promoting h:2'],
      ['step', 1200, 'relocate h:3: failed: timeout'],
      ['end', 2700, 'recovery successful: promoted h:2'],
    ]);
    expect(t.events.filter((e) => e.failed).map((e) => e.text)).toEqual(['relocate h:3: failed: timeout']);
    expect(t).toMatchObject({ durationMs: 2700, outcome: 'successful' });
  });

  it('a running recovery has no end; a failed one says its errors; acknowledgement comes last', () => {
    expect(buildTimeline(recovery({ RecoveryEndTimestamp: '' }), [])).toMatchObject({
      outcome: 'running',
      durationMs: null,
      events: [{ kind: 'start', offsetMs: 0 }],
    });
    const failed = buildTimeline(
      recovery({
        IsSuccessful: false,
        SuccessorKey: null,
        AllErrors: ['no candidate'],
        Acknowledged: true,
        AcknowledgedBy: 'admin',
        AcknowledgedComment: 'seen',
        AcknowledgedAt: '2026-12-07T10:01:00.000Z',
      }),
      [],
    );
    expect(failed.events.slice(-2)).toEqual([
      {
        kind: 'end',
        at: '2026-12-07T10:00:03.500Z',
        offsetMs: 2500,
        text: 'recovery failed (no candidate)',
        failed: true,
      },
      {
        kind: 'acknowledged',
        at: '2026-12-07T10:01:00.000Z',
        offsetMs: 59_000,
        text: 'acknowledged by admin: seen',
      },
    ]);
  });

  it('shows steps written after the end after it; naming a failed master is not a failure', () => {
    const t = buildTimeline(recovery(), [
      {
        Id: 1,
        AuditAt: '2026-12-07T10:00:02.000Z',
        Message: 'downtimed h:1: lost-in-recovery: failed master',
      },
      { Id: 2, AuditAt: '2026-12-07T10:00:04.000Z', Message: 'KV: mysql/master/orders = h:2' },
    ]);
    expect(t.events.map((e) => [e.kind, e.offsetMs, e.failed ?? false])).toEqual([
      ['start', 0, false],
      ['step', 1000, false],
      ['end', 2500, false],
      ['step', 3000, false],
    ]);
  });

  it('formats offsets', () => {
    expect([0, 850, 2400, 185_000, null].map(formatOffset)).toEqual([
      '+0 ms',
      '+850 ms',
      '+2.4 s',
      '+3m 05s',
      '',
    ]);
  });
});

describe('findDetection', () => {
  const at = (Id: number, port: number, analysis: string, ts: string) => ({
    Id,
    Analysis: analysis,
    Key: { Hostname: 'h', Port: port },
    RecoveryStartTimestamp: ts,
  });
  const detections = [
    at(9, 1, 'DeadMaster', '2026-12-07T10:05:00.000Z'), // after the recovery started
    at(8, 1, 'DeadMaster', '2026-12-07T10:00:00.800Z'),
    at(7, 2, 'DeadMaster', '2026-12-07T10:00:00.900Z'), // another instance
    at(6, 1, 'UnreachableMaster', '2026-12-07T10:00:00.950Z'), // another analysis
    at(5, 1, 'DeadMaster', '2026-12-07T09:00:00.000Z'), // an older failure
  ];

  it('picks the newest matching detection before the start, or the one LastDetectionId names', () => {
    expect(findDetection(recovery(), detections)?.Id).toBe(8);
    expect(findDetection(recovery({ LastDetectionId: 5 }), detections)?.Id).toBe(5);
    expect(
      findDetection(recovery({ AnalysisEntry: { Analysis: 'DeadMaster' } }), detections),
    ).toBeUndefined();
    expect(findDetection(recovery(), [])).toBeUndefined();
  });
});
