/**
 * The main thread's handle on the symbols worker: request/response messages, a worker that never
 * keeps the process alive (unref'd), and crash handling (a crashed worker is counted, its pending
 * calls fail, and the next call starts a fresh one, a bounded number of times).
 *
 * The worker is a child process at the lowest CPU priority by default, or a worker thread. Measured
 * on 2 cores (symbols.bench, node_modules corpus): with a worker thread, its parsing and V8's GC
 * threads marking its heap (shared with the application's isolate, untouched by a thread priority)
 * starved the application's thread for 16–18 ms at a time (event-loop p99 5.6–7.5 ms); the same
 * work in a process at nice 19: worst 8–14 ms, p99 3.7–4.2 ms, same throughput. The price is a
 * process of its own (~55 MB resident) for as long as the Symbol Database runs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
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
  /** A low-priority child process (default) or a worker thread. */
  isolation?: 'process' | 'thread';
}

/** What the client needs of either kind of worker. */
interface WorkerHandle {
  send(message: { id: number; req: WorkerRequest }): void;
  ref(): void;
  unref(): void;
  terminate(): void;
}


export class SymbolsWorker {
  readonly #init: WorkerInit;
  readonly #opts: SymbolsWorkerOptions;
  readonly #pending = new Map<number, { resolve: (r: WorkerResult) => void; reject: (e: Error) => void }>();
  #worker: WorkerHandle | undefined;
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
      try {
        worker.send({ id, req });
      } catch (err) {
        this.#pending.delete(id);
        reject(new WorkerGoneError(`symbols worker unreachable: ${(err as Error).message}`));
      }
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
    w?.terminate();
  }

  #ensure(): WorkerHandle | undefined {
    if (this.#closed) return undefined;
    if (this.#worker) return this.#worker;
    if (this.#crashes > this.#opts.maxRestarts) return undefined;
    let handle: WorkerHandle;
    const onExit = (self: WorkerHandle, code: number | null, reason: string): void => {
      if (this.#worker !== self) return;
      this.#worker = undefined;
      this.#carried = this.counters;
      this.#failPending(`symbols worker ${reason} (exit code ${code})`);
      if (!this.#closed) {
        this.#crashes++;
        this.#opts.onCrash(`symbols worker ${reason} (exit code ${code})`);
      }
    };
    try {
      handle = this.#opts.isolation === 'thread' ? this.#startThread(onExit) : this.#startProcess(onExit);
    } catch (err) {
      this.#crashes++;
      this.#opts.onCrash(`cannot start symbols worker: ${(err as Error).message}`);
      return undefined;
    }
    if (!this.#keepAlive) handle.unref();
    this.#worker = handle;
    return handle;
  }

  #startThread(onExit: (self: WorkerHandle, code: number | null, reason: string) => void): WorkerHandle {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: this.#init,
      // Preload flags (`--import`, `--require`) must not start another agent inside the worker.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    const handle: WorkerHandle = {
      send: (m) => worker.postMessage(m),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      terminate: () => void worker.terminate().catch(() => {}),
    };
    worker.on('message', (msg: WorkerResponse) => this.#onMessage(msg));
    let reason = 'exited';
    worker.on('error', (err) => {
      reason = err.message;
    });
    worker.on('exit', (code) => onExit(handle, code, reason));
    return handle;
  }

  #startProcess(onExit: (self: WorkerHandle, code: number | null, reason: string) => void): WorkerHandle {
    // Nothing of the application's command line or NODE_OPTIONS: a preloaded agent would start
    // again inside the child (and fork a child of its own).
    const env = { ...process.env };
    delete env['NODE_OPTIONS'];
    const child: ChildProcess = fork(fileURLToPath(new URL('./worker.js', import.meta.url)), [], {
      execArgv: [`--max-old-space-size=${WORKER_HEAP_MB}`],
      env,
      // Its output is not the application's: nothing of it reaches the app's stdout/stderr.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    const handle: WorkerHandle = {
      send: (m) => {
        child.send(m);
      },
      ref: () => {
        child.ref();
        child.channel?.ref();
      },
      unref: () => {
        child.unref();
        child.channel?.unref();
      },
      terminate: () => {
        child.kill();
      },
    };
    let reason = 'exited';
    child.on('error', (err) => {
      reason = err.message;
    });
    child.on('message', (msg: WorkerResponse) => this.#onMessage(msg));
    child.on('exit', (code, signal) => onExit(handle, code, signal ? `killed by ${signal}` : reason));
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, 19); // the lowest: the application's threads come first
      } catch {
        // Not permitted here (some containers): the work is off the application's thread anyway.
      }
    }
    child.send({ init: this.#init });
    return handle;
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
