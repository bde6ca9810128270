/**
 * A bounded queue of pre-serialised JSON items, uploaded in batches (JSON arrays). A batch leaves
 * `intervalMs` after the first item arrives, or at once when the queue holds more than one full
 * batch. A batch that could not be delivered stays queued and is retried with backoff; the caps
 * (items and bytes) bound memory however long the agent is unreachable: items beyond them are
 * dropped and counted.
 */
import { backoffDelay } from './backoff.js';

/**
 * What became of one batch:
 * - `sent`: delivered;
 * - `rejected`: the agent refused it for good (4xx): drop it;
 * - `retry`: transient failure: keep it and try again after a backoff;
 * - `again`: try again right away (e.g. after switching to a fallback endpoint).
 */
export type UploadOutcome = 'sent' | 'rejected' | 'retry' | 'again';

export interface UploadQueueOptions {
  /** Flush delay, counted from the first queued item. */
  intervalMs: number;
  /** Largest JSON-array body of one batch. */
  maxBatchBytes: number;
  maxQueueBytes: number;
  maxQueueItems: number;
  /** First and largest delay between attempts to deliver a failed batch. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Delivers one batch. `final` is set for the exit-time flush. Must not throw (a throw drops the batch). */
  upload(items: readonly string[], final: boolean): Promise<UploadOutcome>;
  /** Called when the queue goes from empty to non-empty (`true`) and back (`false`). */
  onBacklog?(nonEmpty: boolean): void;
}

export interface UploadQueueStats {
  queuedItems: number;
  queuedBytes: number;
  /** The caps `queuedItems` and `queuedBytes` never exceed. */
  maxQueueItems: number;
  maxQueueBytes: number;
  sentItems: number;
  sentBatches: number;
  /** Dropped because the queue was full (agent slow or unreachable). */
  droppedOverflow: number;
  /** Dropped because a single item was larger than a whole batch. */
  droppedOversize: number;
  /** Dropped because the agent refused the batch (4xx). */
  droppedRejected: number;
  /** Dropped because they arrived after close(). */
  droppedClosed: number;
  /** Dropped because serialising them threw (never expected: the engine builds plain data). */
  droppedUnserialisable: number;
  /** Delivery attempts that failed transiently (the items stayed queued). */
  failedUploads: number;
}

export class UploadQueue {
  readonly #options: UploadQueueOptions;
  readonly #items: string[] = [];
  readonly #sizes: number[] = [];
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #consecutiveFailures = 0;
  #closed = false;
  readonly #stats = {
    sentItems: 0,
    sentBatches: 0,
    droppedOverflow: 0,
    droppedOversize: 0,
    droppedRejected: 0,
    droppedClosed: 0,
    droppedUnserialisable: 0,
    failedUploads: 0,
  };

  constructor(options: UploadQueueOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#items.length;
  }

  /**
   * Queues one item: its JSON text, or a function producing it, called only when there is room
   * (so a full queue costs no serialisation). Never throws.
   */
  push(item: string | (() => string)): void {
    if (this.#closed) {
      this.#stats.droppedClosed++;
      return;
    }
    if (this.#items.length >= this.#options.maxQueueItems || this.#bytes >= this.#options.maxQueueBytes) {
      this.#stats.droppedOverflow++;
      return;
    }
    let json: string;
    try {
      json = typeof item === 'string' ? item : item();
    } catch {
      this.#stats.droppedUnserialisable++;
      return;
    }
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes + 2 > this.#options.maxBatchBytes) {
      this.#stats.droppedOversize++;
      return;
    }
    if (this.#items.length >= this.#options.maxQueueItems || this.#bytes + bytes > this.#options.maxQueueBytes) {
      this.#stats.droppedOverflow++;
      return;
    }
    this.#items.push(json);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
    if (this.#items.length === 1) this.#options.onBacklog?.(true);
    if (this.#draining) return;
    const queuedBody = 2 + (this.#items.length - 1) + this.#bytes; // the whole queue as one JSON array
    if (queuedBody > this.#options.maxBatchBytes) this.#arm(0, true);
    else this.#arm(this.#options.intervalMs, false);
  }

  /** Sends everything that can be sent now (bypassing any backoff). Never rejects. */
  async flush(final = false): Promise<void> {
    this.#disarm();
    if (this.#draining) await this.#draining;
    this.#disarm();
    if (this.#items.length > 0) await this.#drain(final);
  }

  /** Stops the timers; later pushes are dropped. The caller flushes first if it wants to. */
  close(): void {
    this.#closed = true;
    this.#disarm();
  }

  stats(): UploadQueueStats {
    return {
      queuedItems: this.#items.length,
      queuedBytes: this.#bytes,
      maxQueueItems: this.#options.maxQueueItems,
      maxQueueBytes: this.#options.maxQueueBytes,
      ...this.#stats,
    };
  }

  #batchLength(): number {
    let total = 2;
    let n = 0;
    while (n < this.#items.length) {
      const next = total + (this.#sizes[n] ?? 0) + (n > 0 ? 1 : 0);
      if (next > this.#options.maxBatchBytes) break;
      total = next;
      n++;
    }
    return Math.max(1, n);
  }

  #arm(delayMs: number, replace: boolean): void {
    if (this.#closed) return;
    if (this.#timer) {
      if (!replace) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain(false);
    }, delayMs);
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #drain(final: boolean): Promise<void> {
    this.#draining ??= this.#drainLoop(final)
      .catch(() => {})
      .finally(() => {
        this.#draining = undefined;
        this.#afterDrain();
      });
    return this.#draining;
  }

  async #drainLoop(final: boolean): Promise<void> {
    let immediateRetries = 0;
    while (this.#items.length > 0) {
      const n = this.#batchLength();
      let outcome: UploadOutcome;
      try {
        outcome = await this.#options.upload(this.#items.slice(0, n), final);
      } catch {
        outcome = 'rejected'; // a bug in the uploader: never loop on it
      }
      if (outcome === 'again' && immediateRetries++ < 2) continue;
      immediateRetries = 0;
      if (outcome === 'sent') {
        this.#stats.sentItems += n;
        this.#stats.sentBatches++;
        this.#consecutiveFailures = 0;
        this.#remove(n);
      } else if (outcome === 'rejected') {
        this.#stats.droppedRejected += n;
        this.#remove(n);
      } else {
        this.#stats.failedUploads++;
        this.#consecutiveFailures++;
        return;
      }
    }
  }

  #afterDrain(): void {
    if (this.#items.length === 0 || this.#closed) return;
    const delay =
      this.#consecutiveFailures > 0
        ? backoffDelay(
            { maxAttempts: 0, baseDelayMs: this.#options.retryBaseMs, maxDelayMs: this.#options.retryMaxMs, jitter: 0.2 },
            this.#consecutiveFailures,
          )
        : this.#options.intervalMs;
    this.#arm(delay, true);
  }

  #remove(n: number): void {
    this.#items.splice(0, n);
    for (const size of this.#sizes.splice(0, n)) this.#bytes -= size;
    if (this.#items.length === 0) this.#options.onBacklog?.(false);
  }
}
