/**
 * Sampling on the hot path, before any capture: a minimum interval between samples (the first hit
 * is always taken), as dd-trace-js does, and a fixed one-second window for the global cap.
 * `tryTake` allocates nothing.
 */

const now = (): number => performance.now();

export class IntervalSampler {
  private readonly intervalMs: number;
  private next = -Infinity;

  /** `perSecond` may be fractional: 0.5 means one sample every two seconds. */
  constructor(perSecond: number) {
    this.intervalMs = perSecond > 0 ? 1000 / perSecond : Infinity;
  }

  /** True when this hit may be sampled (and records it). */
  tryTake(t: number = now()): boolean {
    if (t < this.next) return false;
    this.next = t + this.intervalMs;
    return true;
  }

  /** When the next sample may be taken (`performance.now()` ms; -Infinity before the first). */
  get nextAt(): number {
    return this.next;
  }

  /** True when a sample would be taken now, without taking it. */
  ready(t: number = now()): boolean {
    return t >= this.next;
  }
}

export class WindowLimiter {
  private windowStart = -Infinity;
  private count = 0;

  constructor(private readonly perWindow: number, private readonly windowMs = 1000) {}

  tryTake(t: number = now()): boolean {
    if (t - this.windowStart >= this.windowMs) {
      this.windowStart = t;
      this.count = 0;
    }
    if (this.count >= this.perWindow) return false;
    this.count++;
    return true;
  }
}
