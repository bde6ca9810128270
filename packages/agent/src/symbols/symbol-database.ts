/**
 * The Symbol Database uploader: extracts the structure of every application script already
 * loaded (the back-fill), then of every script loaded later (the hot-load hook), and uploads it
 * to `/symdb/v1/input` in debounced batches. Parsing, hashing, encoding and the host-wide
 * de-duplication run in a worker thread; this class only schedules and sends.
 */
import { randomUUID } from 'node:crypto';
import type { CodeTracker, TrackedScript } from '../code-tracking/types.js';
import type { AgentConfig } from '../config/settings.js';
import { AgentClient, buildMultipart, describeResult, isSuccess, type RetryPolicy } from '../transport/index.js';
import { isWantedScript } from './code-filter.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES, zeroCounters, type ExtractJob, type ExtractorCounters } from './file-extractor.js';
import { defaultHostDedupDir } from './host-dedup.js';
import { SymbolsWorker } from './worker-client.js';
import type { EncodedBatch, WorkerResult } from './worker-protocol.js';
import { SYMDB_LANGUAGE, type SymdbEvent } from './wire.js';

export const SYMDB_PATH = '/symdb/v1/input';
/** Root scopes per upload, as the other tracers do. */
export const MAX_SCOPES_PER_UPLOAD = 400;
/** Gzipped attachments above this are split in halves until they fit. */
export const MAX_PAYLOAD_BYTES = 50 * 1024 * 1024;

export interface SymbolDatabaseOptions {
  config: AgentConfig;
  tracker: CodeTracker;
  /**
   * Turns code tracking on while uploads run and returns its release: the tracker may be off
   * when dynamic instrumentation is (the agent's `holdCodeTracking`). Absent: the tracker is
   * always on.
   */
  holdTracking?: () => () => void;
  /** The agent client to upload with; default: one for `config.agentUrl`, closed by `stop()`. */
  client?: AgentClient;
  /** Quiet window: an upload starts once no new code arrived for this long. Default 1000 ms. */
  debounceMs?: number;
  /** Upper bound on how long a burst of loads can postpone an upload. Default 5000 ms. */
  maxDelayMs?: number;
  maxScopesPerUpload?: number;
  maxPayloadBytes?: number;
  maxFileBytes?: number;
  maxFiles?: number;
  /** Scripts waiting for extraction at most; later ones are dropped and counted. Default 50,000. */
  maxQueuedScripts?: number;
  /** Host-wide de-duplication between processes of one service (default on). */
  hostDedup?: false | { dir?: string; claimTtlMs?: number; honourMs?: number };
  /** Retries per upload. Default: 3 attempts, 1 s then 2 s (plus jitter). */
  retry?: Partial<RetryPolicy>;
  /** Runtime id of the parent process after a fork, when known. */
  parentId?: string | null;
  /** Debug messages; silent by default. */
  log?: (message: string) => void;
}

export interface SymbolDatabaseStats extends ExtractorCounters {
  /** Extraction and uploads are running. */
  active: boolean;
  scriptsQueued: number;
  /** Scripts left out because 50,000 were already waiting for extraction. */
  scriptsDropped: number;
  uploads: number;
  uploadedScopes: number;
  uploadFailures: number;
  /** Roots another process of this service on this host had already uploaded. */
  hostDuplicates: number;
  bytesUploaded: number;
  lastBatchNum: number;
  workerCrashes: number;
}

/**
 * A re-enabled upload honours only markers other processes wrote this close before it: siblings
 * that got the same Remote Config update. Its own markers never count after a re-enable.
 */
const REENABLE_GRACE_MS = 60_000;
const EXTRACT_CHUNK = 25;
/** Main-thread time one back-fill turn may take before it yields (filtering costs ~10 µs a script). */
const BACKFILL_SLICE_MS = 1;
const MAX_QUEUED_SCRIPTS = 50_000;
const UPLOAD_TIMEOUT_MS = 30_000;

const ZERO_COUNTERS: ExtractorCounters = zeroCounters();

export class SymbolDatabase {
  readonly #config: AgentConfig;
  readonly #tracker: CodeTracker;
  readonly #holdTracking: (() => () => void) | undefined;
  #releaseTracking: (() => void) | undefined;
  readonly #client: AgentClient;
  readonly #ownsClient: boolean;
  readonly #worker: SymbolsWorker;
  readonly #debounceMs: number;
  readonly #maxDelayMs: number;
  readonly #maxScopes: number;
  readonly #maxPayloadBytes: number;
  readonly #maxQueued: number;
  readonly #retry: Partial<RetryPolicy>;
  readonly #claimTtlMs: number;
  readonly #honourMs: number;
  readonly #busyRecheckMs: number;
  readonly #uploadId = randomUUID();
  readonly #parentId: string | null;
  readonly #log: (message: string) => void;

  #started = false;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;
  #rcRequested: boolean | undefined;
  #diEnabled: boolean;
  #running = false;
  #activations = 0;
  /** Bumped on every start and stop: work begun under another generation is dropped. */
  #generation = 0;
  #honourSince = 0;

  #jobs: ExtractJob[] = [];
  #extracting = false;
  #pumpScheduled = false;
  /** Back-fills still queueing scripts. */
  #backfilling = 0;
  #pendingRefs: number[] = [];
  #deferredRefs: number[] = [];
  #flushing = false;
  #firstPendingAt: number | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #recheckTimer: NodeJS.Timeout | undefined;
  #waiters: (() => void)[] = [];
  #keepAlive: NodeJS.Timeout | undefined;
  #nextBatchNum = 1;

  #scriptsQueued = 0;
  /** Scripts not queued because the queue was full (the worker is far behind a load storm). */
  #scriptsDropped = 0;
  #uploads = 0;
  #uploadedScopes = 0;
  #uploadFailures = 0;
  #hostDuplicates = 0;
  #bytesUploaded = 0;

  constructor(opts: SymbolDatabaseOptions) {
    const config = opts.config;
    this.#config = config;
    this.#tracker = opts.tracker;
    this.#holdTracking = opts.holdTracking;
    this.#ownsClient = opts.client === undefined;
    this.#client = opts.client ?? new AgentClient({ agentUrl: config.agentUrl, timeoutMs: UPLOAD_TIMEOUT_MS });
    this.#debounceMs = opts.debounceMs ?? 1000;
    this.#maxDelayMs = opts.maxDelayMs ?? 5000;
    this.#maxScopes = opts.maxScopesPerUpload ?? MAX_SCOPES_PER_UPLOAD;
    this.#maxPayloadBytes = opts.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
    this.#maxQueued = opts.maxQueuedScripts ?? MAX_QUEUED_SCRIPTS;
    this.#retry = { maxAttempts: 3, ...opts.retry };
    const dedup = opts.hostDedup ?? {};
    this.#claimTtlMs = (dedup && dedup.claimTtlMs) || 60_000;
    this.#honourMs = (dedup && dedup.honourMs) || 60 * 60_000;
    this.#busyRecheckMs = Math.max(50, Math.min(5000, this.#claimTtlMs / 4));
    this.#parentId = opts.parentId ?? null;
    this.#log = opts.log ?? (() => {});
    this.#diEnabled = config.dynamicInstrumentationEnabled;
    this.#worker = new SymbolsWorker(
      {
        appRoot: config.appRoot,
        includes: config.symbolDatabaseIncludes,
        maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
        maxFiles: opts.maxFiles ?? DEFAULT_MAX_FILES,
        hostDedupDir: dedup === false ? undefined : (dedup.dir ?? defaultHostDedupDir(config.service, config.env ?? '', config.version ?? '', config.agentUrl.toString())),
        claimTtlMs: this.#claimTtlMs,
      },
      { maxRestarts: 3, onCrash: (reason) => this.#onWorkerCrash(reason), isolation: config.symbolDatabaseIsolation },
    );
  }

  /** Subscribes to loaded code and starts uploading if the settings ask for it (force upload, or `true` with DI on). */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#unsubscribe = this.#tracker.onScript((script) => this.#onScript(script));
    this.#update();
  }

  /**
   * Remote Config `LIVE_DEBUGGING_SYMBOL_DB` (`upload_symbols`): `true` starts extraction and
   * upload (an update while running starts over, uploading everything again); `false` or a
   * deleted config stops and cancels pending work.
   */
  setUploadEnabled(enabled: boolean): void {
    if (this.#stopped) return;
    if (enabled && this.#running) this.#deactivate({ keepTracking: true });
    this.#rcRequested = enabled;
    this.#update();
  }

  /** Dynamic instrumentation turned on or off (env or RC): uploads follow it unless the setting is explicit. */
  setDynamicInstrumentationEnabled(enabled: boolean): void {
    if (this.#stopped) return;
    this.#diEnabled = enabled;
    this.#update();
  }

  /** Resolves once nothing is queued, extracting or uploading (at once when uploads are off). Never rejects. */
  waitForUploads(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      if (!this.#keepAlive) {
        // The caller is waiting: hold the process open until the uploads are done.
        this.#keepAlive = setInterval(() => {}, 60_000);
        this.#worker.setKeepAlive(true);
      }
      this.#scheduleFlush();
    });
  }

  /** Stops for good: cancels pending work, ends the worker. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#running) this.#deactivate();
    this.#releaseTracking?.();
    this.#releaseTracking = undefined;
    this.#worker.close();
    if (this.#ownsClient) this.#client.close();
    this.#settle(true);
  }

  stats(): SymbolDatabaseStats {
    return {
      ...(this.#worker.counters ?? ZERO_COUNTERS),
      active: this.#running,
      scriptsQueued: this.#scriptsQueued,
      scriptsDropped: this.#scriptsDropped,
      uploads: this.#uploads,
      uploadedScopes: this.#uploadedScopes,
      uploadFailures: this.#uploadFailures,
      hostDuplicates: this.#hostDuplicates,
      bytesUploaded: this.#bytesUploaded,
      lastBatchNum: this.#nextBatchNum - 1,
      workerCrashes: this.#worker.crashes,
    };
  }

  #shouldRun(): boolean {
    if (!this.#started || this.#stopped) return false;
    const setting = this.#config.symbolDatabaseUploadEnabled;
    if (setting === false) return false;
    const force = this.#config.symbolDatabaseForceUpload;
    if (!(this.#rcRequested ?? force)) return false;
    // Unset: follow dynamic instrumentation (a request made while DI is off waits for it).
    return setting === true || force || this.#diEnabled;
  }

  #update(): void {
    const want = this.#shouldRun();
    if (want && !this.#running) this.#activate();
    else if (!want && this.#running) this.#deactivate();
    this.#settle();
  }

  #activate(): void {
    // Before `running`: the scripts replayed by a tracker starting now come through the back-fill.
    this.#releaseTracking ??= this.#holdTracking?.();
    this.#running = true;
    this.#generation++;
    const now = Date.now();
    this.#honourSince = this.#activations === 0 ? now - this.#honourMs : now - REENABLE_GRACE_MS;
    this.#activations++;
    this.#log('symbol database: extracting loaded code');
    this.#backfill();
  }

  #deactivate(opts: { keepTracking?: boolean } = {}): void {
    this.#running = false;
    if (!opts.keepTracking) {
      this.#releaseTracking?.();
      this.#releaseTracking = undefined;
    }
    this.#generation++;
    this.#jobs = [];
    this.#pendingRefs = [];
    this.#deferredRefs = [];
    this.#firstPendingAt = undefined;
    clearTimeout(this.#flushTimer);
    clearTimeout(this.#recheckTimer);
    this.#flushTimer = this.#recheckTimer = undefined;
    // Releases claims and forgets extracted files: the next start uploads everything again.
    this.#call({ op: 'reset' });
  }

  /** Queues every loaded script, a slice per event-loop turn: thousands of scripts must not stall the app. */
  #backfill(): void {
    const scripts = [...this.#tracker.scripts()];
    const generation = this.#generation;
    this.#backfilling++;
    const step = (from: number): void => {
      if (generation !== this.#generation) {
        this.#backfilling--;
        this.#settle();
        return;
      }
      const deadline = performance.now() + BACKFILL_SLICE_MS;
      let i = from;
      while (i < scripts.length) {
        this.#enqueue(scripts[i++]!);
        if ((i & 15) === 0 && performance.now() >= deadline) break;
      }
      if (i < scripts.length) {
        setImmediate(step, i);
        return;
      }
      this.#backfilling--;
      this.#scheduleFlush();
      this.#settle();
    };
    step(0);
  }

  #onScript(script: TrackedScript): void {
    if (!this.#running || !this.#config.symbolDatabaseHotLoad) return;
    this.#enqueue(script);
  }

  #enqueue(script: TrackedScript): void {
    try {
      if (!isWantedScript(script, this.#config.symbolDatabaseIncludes, this.#config.appRoot)) return;
      if (this.#jobs.length >= this.#maxQueued) {
        this.#scriptsDropped++;
        return;
      }
      const job: ExtractJob = { url: script.url, isModule: script.isModule, path: script.path, sourceMapURL: script.sourceMapURL };
      if (script.path === undefined) {
        // Code without a file (vm, eval with a sourceURL): the worker cannot read it itself.
        const source = script.length <= DEFAULT_MAX_FILE_BYTES ? this.#tracker.getScriptSource(script.scriptId) : undefined;
        if (source === undefined) return;
        job.source = source;
      }
      this.#jobs.push(job);
      this.#scriptsQueued++;
      this.#touch();
      this.#schedulePump();
    } catch (err) {
      this.#log(`symbol database: cannot queue ${script.url}: ${(err as Error).message}`);
    }
  }

  /** Pumps on the next turn, so that a synchronous burst (the back-fill, a require tree) goes out in full chunks. */
  #schedulePump(): void {
    if (this.#pumpScheduled || this.#extracting) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  /** Sends queued scripts to the worker, a chunk at a time. */
  async #pump(): Promise<void> {
    if (this.#extracting) return;
    this.#extracting = true;
    const generation = this.#generation;
    try {
      while (this.#jobs.length > 0 && generation === this.#generation) {
        const jobs = this.#jobs.splice(0, EXTRACT_CHUNK);
        const result = await this.#call({ op: 'extract', jobs });
        if (generation !== this.#generation) break;
        // A failed call (worker crashed or gone) loses this chunk; the crash handler starts over.
        if (result?.op === 'extract' && result.roots.length > 0) {
          for (const root of result.roots) this.#pendingRefs.push(root.ref);
          this.#touch();
        }
      }
    } finally {
      this.#extracting = false;
      // Jobs queued by a restart while this loop was draining an older generation.
      if (this.#jobs.length > 0 && this.#running) this.#schedulePump();
      this.#scheduleFlush();
      this.#settle();
    }
  }

  /** New code arrived: restart the quiet window (bounded by the max delay). */
  #touch(): void {
    this.#firstPendingAt ??= Date.now();
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (!this.#running || this.#pendingRefs.length === 0 || this.#flushing) return;
    const untilMax = Math.max(0, (this.#firstPendingAt ?? Date.now()) + this.#maxDelayMs - Date.now());
    // While a burst is still being extracted only the max delay can trigger an upload; once it is
    // extracted, the quiet window (or at once, for a waiting caller).
    const extracting = this.#backfilling > 0 || this.#extracting || this.#pumpScheduled || this.#jobs.length > 0;
    const quiet = this.#waiters.length > 0 ? 0 : this.#debounceMs;
    const delay = extracting ? untilMax : Math.min(quiet, untilMax);
    this.#flushTimer = setTimeout(() => void this.#flush(), delay);
    this.#flushTimer.unref();
  }

  async #flush(): Promise<void> {
    if (this.#flushing || !this.#running) return;
    this.#flushing = true;
    this.#firstPendingAt = undefined;
    const generation = this.#generation;
    try {
      while (this.#pendingRefs.length > 0 && generation === this.#generation) {
        await this.#upload(this.#pendingRefs.splice(0, this.#maxScopes), generation);
      }
    } finally {
      this.#flushing = false;
      this.#scheduleFlush();
      this.#settle();
    }
  }

  /** Encodes (claiming each root host-wide) and posts one batch of at most `maxScopes` roots. */
  async #upload(refs: number[], generation: number): Promise<void> {
    const meta = { service: this.#config.service, env: this.#config.env ?? '', version: this.#config.version ?? '', uploadId: this.#uploadId };
    const firstBatchNum = this.#nextBatchNum;
    const result = await this.#call({
      op: 'encode',
      refs,
      meta,
      firstBatchNum,
      maxBytes: this.#maxPayloadBytes,
      honourSince: this.#honourSince,
      ignoreOwnMarkers: this.#activations > 1,
    });
    if (result?.op !== 'encode' || generation !== this.#generation) return;
    this.#nextBatchNum = firstBatchNum + result.parts.length;
    this.#hostDuplicates += result.alreadyUploaded.length;
    if (result.busy.length > 0) this.#deferBusy(result.busy);
    for (const part of result.parts) {
      const ok = await this.#post(part);
      if (ok) {
        this.#uploads++;
        this.#uploadedScopes += part.refs.length;
        this.#bytesUploaded += part.gzip.byteLength;
        await this.#call({ op: 'commit', refs: part.refs, uploadId: this.#uploadId });
      } else {
        this.#uploadFailures++;
        await this.#call({ op: 'release', refs: part.refs });
      }
    }
  }

  /** Another process is uploading these right now: look again later (done by then, or its claim expired). */
  #deferBusy(refs: number[]): void {
    this.#deferredRefs.push(...refs);
    if (this.#recheckTimer) return;
    this.#recheckTimer = setTimeout(() => {
      this.#recheckTimer = undefined;
      if (!this.#running) return;
      this.#pendingRefs.push(...this.#deferredRefs);
      this.#deferredRefs = [];
      this.#firstPendingAt ??= Date.now();
      void this.#flush();
    }, this.#busyRecheckMs);
    this.#recheckTimer.unref();
  }

  async #post(part: EncodedBatch): Promise<boolean> {
    const gzip = Buffer.from(part.gzip.buffer, part.gzip.byteOffset, part.gzip.byteLength);
    const event: SymdbEvent = {
      ddsource: 'dd_debugger',
      service: this.#config.service,
      version: this.#config.version ?? '',
      language: SYMDB_LANGUAGE,
      runtimeId: this.#config.runtimeId,
      parentId: this.#parentId,
      type: 'symdb',
      uploadId: this.#uploadId,
      batchNum: part.batchNum,
      final: false,
      attachmentSize: gzip.length,
    };
    const body = buildMultipart([
      { name: 'event', filename: 'event.json', contentType: 'application/json', data: JSON.stringify(event) },
      { name: 'file', filename: `symbols_${process.pid}.json.gz`, contentType: 'application/gzip', data: gzip },
    ]);
    const res = await this.#client.request({
      method: 'POST',
      path: SYMDB_PATH,
      headers: { 'Content-Type': body.contentType },
      body: body.body,
      retry: this.#retry,
      timeoutMs: UPLOAD_TIMEOUT_MS,
      keepProcessAlive: this.#waiters.length > 0,
    });
    if (isSuccess(res)) return true;
    this.#log(`symbol database: upload of batch ${part.batchNum} failed (${describeResult(res)})`);
    return false;
  }

  /** A worker call that never rejects: failures are counted by the worker client. */
  async #call(req: Parameters<SymbolsWorker['call']>[0]): Promise<WorkerResult | undefined> {
    try {
      return await this.#worker.call(req);
    } catch (err) {
      this.#log(`symbol database: worker call ${req.op} failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  #onWorkerCrash(reason: string): void {
    this.#log(`symbol database: ${reason}`);
    if (!this.#running || this.#stopped) return;
    // The worker's extracted roots and de-duplication state are gone: start over; the host
    // markers keep what was already uploaded from being sent twice.
    this.#deactivate({ keepTracking: true });
    this.#running = true;
    this.#generation++;
    this.#backfill();
    this.#settle();
  }

  #isIdle(): boolean {
    return (
      !this.#running ||
      (this.#backfilling === 0 && this.#jobs.length === 0 && !this.#extracting && this.#pendingRefs.length === 0 && this.#deferredRefs.length === 0 && !this.#flushing)
    );
  }

  #settle(force = false): void {
    if (!force && !this.#isIdle()) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
    if (this.#keepAlive) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
      this.#worker.setKeepAlive(false);
    }
  }
}
