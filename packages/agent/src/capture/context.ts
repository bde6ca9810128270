/**
 * The state of one capture: limits, redaction, the time budget, and what the serializer learnt
 * along the way. One context per sampled hit; it is not shared between hits.
 */
import type { CaptureLimits } from '@periscope/protocol';
import { now } from '../safe/intrinsics.js';
import type { Redaction } from './redaction.js';

/**
 * Objects expanded between two clock reads. Reading the clock costs about as much as expanding
 * a small object, so it is read every few objects rather than for every value.
 */
const CLOCK_CHECK_INTERVAL = 8;

/** What {@link CaptureContext} is built from. */
export interface CaptureOptions {
  limits: CaptureLimits;
  redaction: Redaction;
  /** Absolute deadline on the `performance.now()` clock (or on `clock`), in ms. */
  deadline: number;
  /** The clock the deadline is measured on; `performance.now` unless a test supplies one. */
  clock?: () => number;
}

/** An object whose key listing ran the capture past its deadline (large-objects.ts). */
export interface LargeObjectReport {
  type: string;
  /** Own property count. */
  size: number;
}

export class CaptureContext {
  readonly maxReferenceDepth: number;
  readonly maxCollectionSize: number;
  readonly maxFieldCount: number;
  readonly maxLength: number;
  readonly redaction: Redaction;
  readonly deadline: number;
  readonly #clock: () => number;
  /** True once the deadline passed; objects not expanded by then are marked `timeout`. */
  timedOut = false;
  /**
   * Set when an object with more than `LARGE_OBJECT_KEYS` own properties had its keys listed
   * during this capture and the listing ended past the deadline. The object is reported as
   * `timeout` (now and in later captures); the engine stops snapshots for the probe, as
   * dd-trace-js does, since a new object of that size at every hit would cost the same again.
   */
  largeObject: LargeObjectReport | undefined = undefined;
  /** @internal Expansions left before the next clock read. */
  clockCountdown = 1;
  /** @internal Objects being expanded, outermost first: the cycle check scans it. */
  readonly path: object[] = [];
  /** @internal Number of live entries in {@link path}. */
  pathLength = 0;
  /** @internal Total own-key count of the object whose keys were listed last (large-objects.ts). */
  keyCount = 0;

  constructor(options: CaptureOptions) {
    const { limits } = options;
    this.maxReferenceDepth = limits.maxReferenceDepth;
    this.maxCollectionSize = limits.maxCollectionSize;
    this.maxFieldCount = limits.maxFieldCount;
    this.maxLength = limits.maxLength;
    this.redaction = options.redaction;
    this.deadline = options.deadline;
    this.#clock = options.clock ?? now;
  }

  /** Is the budget spent? Reads the clock only every few calls. */
  outOfTime(): boolean {
    if (this.timedOut) return true;
    if (--this.clockCountdown > 0) return false;
    this.clockCountdown = CLOCK_CHECK_INTERVAL;
    if (this.#clock() < this.deadline) return false;
    this.timedOut = true;
    return true;
  }

  /** Reads the clock now, after a step that may have been slow; marks the context timed out when past the deadline. */
  pastDeadline(): boolean {
    if (this.timedOut) return true;
    this.clockCountdown = CLOCK_CHECK_INTERVAL;
    if (this.#clock() < this.deadline) return false;
    this.timedOut = true;
    return true;
  }
}
