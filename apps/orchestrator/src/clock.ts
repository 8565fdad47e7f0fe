// The daemon's clock (issue 21, clock jumps): the system clock as read at start, advanced by
// monotonic time. Every time the daemon decides with — timestamps it proposes to the replicated
// state (`at`, downtime BeginsAt, recovery start), anti-flapping and detection windows, the warm-up,
// downtime expiry, which instances are due for a probe — comes from here, so a step of the system
// clock while the daemon runs (an operator's `date -s`, an NTP step, a VM resumed) neither shortens
// nor lengthens any of them. Raft never reads a wall clock at all (performance.now and timers).
//
// The price: after a jump this node's timestamps differ from the system clock by the jump until it
// restarts, so the clock says so: `check()` (every second) reports a change of the offset by more
// than `jumpThresholdMs` through `onJump`, and `offsetMs()` gives the current offset.
import { performance } from 'node:perf_hooks';

export interface SteadyClockOptions {
  /** The system clock, epoch ms. Default Date.now. */
  readonly wall?: () => number;
  /** A monotonic clock, ms. Default performance.now. */
  readonly mono?: () => number;
  /** A change of the offset by more than this is a jump. Default 1000 ms. */
  readonly jumpThresholdMs?: number;
  /** Called by check() for each jump: by how much the system clock moved, and the offset now. */
  readonly onJump?: (jumpMs: number, offsetMs: number) => void;
}

export class SteadyClock {
  private readonly wall: () => number;
  private readonly mono: () => number;
  private readonly anchorWall: number;
  private readonly anchorMono: number;
  private readonly threshold: number;
  private readonly onJump: ((jumpMs: number, offsetMs: number) => void) | undefined;
  private lastOffset = 0;

  constructor(options: SteadyClockOptions = {}) {
    this.wall = options.wall ?? Date.now;
    this.mono = options.mono ?? (() => performance.now());
    this.anchorWall = this.wall();
    this.anchorMono = this.mono();
    this.threshold = options.jumpThresholdMs ?? 1000;
    this.onJump = options.onJump;
  }

  /** Epoch ms: the system clock at start plus the monotonic time elapsed since. */
  readonly now = (): number => this.anchorWall + (this.mono() - this.anchorMono);

  /** How far the system clock is ahead of this clock (ms; negative: behind). 0 until a jump. */
  offsetMs(): number {
    return this.wall() - this.now();
  }

  /**
   * Compares with the system clock: a change of the offset since the last check by more than the
   * threshold is a jump, reported once (slow drift, e.g. NTP slewing, never adds up to one).
   */
  check(): void {
    const offset = this.offsetMs();
    const jump = offset - this.lastOffset;
    this.lastOffset = offset;
    if (Math.abs(jump) > this.threshold) this.onJump?.(jump, offset);
  }
}
