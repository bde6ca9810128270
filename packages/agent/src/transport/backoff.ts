/**
 * Retry timing shared by the agent client (per request) and the upload queues (per batch).
 * Every timer here is unref'd: waiting to retry must never keep the host process alive.
 */

/** How often and how patiently a failed request is retried. */
export interface RetryPolicy {
  /** Total attempts, the first one included. 1 disables retries. */
  maxAttempts: number;
  /** Delay before the first retry; it doubles for each later retry. */
  baseDelayMs: number;
  /** Upper bound for the doubled delay (before jitter). */
  maxDelayMs: number;
  /** Random extra delay, as a fraction of the computed delay (0.5 = up to +50 %). */
  jitter: number;
}

/** dd-trace-js retries 1, 2, 4, 8 s plus jitter; we stop after 3 attempts because the queue retries again later. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  jitter: 0.5,
});

/** The delay before retry number `retry` (1 = first retry). */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exp + Math.random() * policy.jitter * exp);
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts. The timer is unref'd, so a pending retry
 * never holds the event loop open.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}
