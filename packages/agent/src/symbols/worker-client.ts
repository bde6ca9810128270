/**
 * The main thread's handle on the symbols worker: request/response over `postMessage`, an
 * unref'd thread that never keeps the process alive, and crash handling (a crashed worker is
 * counted, its pending calls fail, and the next call starts a fresh one, a bounded number of times).
 */
import { Worker } from 'node:worker_threads';
import type { ExtractorCounters } from './file-extractor.js';
import type { WorkerInit, WorkerRequest, WorkerResponse, WorkerResult } from './worker-protocol.js';

/** Heap cap for the worker: a pathological input kills the worker, not the application. */
const WORKER_HEAP_MB = 512;

export class WorkerGoneError extends Error {
  override readonly name = 'WorkerGoneError';
}

export interface SymbolsWorkerOptions {
  /** Fresh workers started after crashes, at most. */
  maxRestarts: number;
  onCrash: (reason: string) => void;
}

export class SymbolsWorker {
  readonly #init: WorkerInit;
  readonly #opts: SymbolsWorkerOptions;
  readonly #pending = new Map<number, { resolve: (r: WorkerResult) => void; reject: (e: Error) => void }>();
  #worker: Worker | undefined;
  #nextId = 1;
  #crashes = 0;
  #closed = false;
  #keepAlive = false;
  /** The worker's extraction counters as of its last answer (carried across restarts). */
  counters: ExtractorCounters | undefined;
  #carried: ExtractorCounters | undefined;

  constructor(init: WorkerInit, opts: SymbolsWorkerOptions) {
    this.#init = init;
    this.#opts = opts;
  }

  get crashes(): number {
    return this.#crashes;
  }

  call(req: WorkerRequest): Promise<WorkerResult> {
    const worker = this.#ensure();
    if (!worker) return Promise.reject(new WorkerGoneError('symbols worker unavailable'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, req });
    });
  }

  /** Keeps the process alive while someone waits for uploads. */
  setKeepAlive(keep: boolean): void {
    this.#keepAlive = keep;
    if (keep) this.#worker?.ref();
    else this.#worker?.unref();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const w = this.#worker;
    this.#worker = undefined;
    this.#failPending('symbols worker closed');
    void w?.terminate().catch(() => {});
  }

  #ensure(): Worker | undefined {
    if (this.#closed) return undefined;
    if (this.#worker) return this.#worker;
    if (this.#crashes > this.#opts.maxRestarts) return undefined;
    let worker: Worker;
    try {
      worker = new Worker(new URL('./worker.js', import.meta.url), {
        workerData: this.#init,
        // Preload flags (`--import`, `--require`) must not start another agent inside the worker.
        execArgv: [],
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      });
    } catch (err) {
      this.#crashes++;
      this.#opts.onCrash(`cannot start symbols worker: ${(err as Error).message}`);
      return undefined;
    }
    worker.on('message', (msg: WorkerResponse) => this.#onMessage(msg));
    let reason = 'exited';
    worker.on('error', (err) => {
      reason = err.message;
    });
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#carried = this.counters;
      this.#failPending(`symbols worker ${reason} (exit code ${code})`);
      if (!this.#closed) {
        this.#crashes++;
        this.#opts.onCrash(`symbols worker ${reason} (exit code ${code})`);
      }
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    if (!this.#keepAlive) worker.unref();
    this.#worker = worker;
    return worker;
  }

  #onMessage(msg: WorkerResponse): void {
    this.counters = this.#carried ? addCounters(this.#carried, msg.counters) : msg.counters;
    const waiter = this.#pending.get(msg.id);
    if (!waiter) return;
    this.#pending.delete(msg.id);
    if (msg.result) waiter.resolve(msg.result);
    else waiter.reject(new Error(msg.error ?? 'symbols worker error'));
  }

  #failPending(message: string): void {
    const waiters = [...this.#pending.values()];
    this.#pending.clear();
    for (const w of waiters) w.reject(new WorkerGoneError(message));
  }
}

function addCounters(a: ExtractorCounters, b: ExtractorCounters): ExtractorCounters {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof ExtractorCounters)[]) out[k] = a[k] + b[k];
  return out;
}
