/**
 * The network {@link Sink}: probe events as JSON arrays to `/debugger/v2/input?ddtags=…`
 * (falling back for good to `/debugger/v1/diagnostics` when the agent does not offer v2), and
 * probe statuses as a multipart `event.json` part to `/debugger/v1/diagnostics`
 * (shared/reference/snapshots.md §1, §7, §8; diagnostics.md §1).
 *
 * Both streams are bounded {@link UploadQueue}s. Nothing here throws into the app, no timer or
 * socket keeps the process alive, and a best-effort flush runs on `beforeExit` while something
 * is queued. The sink asks `/info` once at construction (in the background), so that even that
 * exit flush, which sends no discovery request of its own, knows whether v2 is offered.
 *
 * `process.exit()` (and a fatal signal) skips `beforeExit`: only synchronous code runs then, and
 * a synchronous HTTP request would block every exit of the host for up to the request timeout,
 * so what is still queued at that point is lost. Call `stop()` (or `flush()`) before exiting.
 */
import { MAX_BATCH_BYTES, type DiagnosticItem, type ProbeEvent } from '@periscope/protocol';
import type { AgentConfig } from '../config/settings.js';
import type { Sink } from '../sink.js';
import { AgentClient, describeResult, isRetryable, isSuccess, type AgentResult } from './agent-client.js';
import type { RetryPolicy } from './backoff.js';
import { buildDdtags } from './ddtags.js';
import { holdProcessDuring } from './hold-process.js';
import { buildMultipart } from './multipart.js';
import { UploadQueue, type UploadOutcome, type UploadQueueStats } from './upload-queue.js';
import { agentVersion } from './version.js';

export const EVENTS_V2_PATH = '/debugger/v2/input';
export const DIAGNOSTICS_PATH = '/debugger/v1/diagnostics';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export type HttpSinkConfig = Pick<
  AgentConfig,
  'agentUrl' | 'env' | 'version' | 'hostname' | 'gitCommitSha' | 'gitRepositoryUrl' | 'uploadIntervalSeconds'
>;

export interface QueueLimits {
  maxQueueItems?: number;
  maxQueueBytes?: number;
}

export interface HttpSinkOptions {
  config: HttpSinkConfig;
  /** Share one client with the Remote Config client; when absent the sink owns its own. */
  client?: AgentClient;
  /** `debugger_version` ddtag; defaults to the package version. */
  debuggerVersion?: string;
  /** Largest upload body. Default 5 MiB. */
  maxBatchBytes?: number;
  /** Defaults: 4096 events / 8 MiB. */
  events?: QueueLimits;
  /** Defaults: 1024 statuses / 1 MiB. */
  statuses?: QueueLimits;
  /** Per-request retries (network errors, 5xx, 429). */
  requestRetry?: Partial<RetryPolicy>;
  /** Delay between attempts to deliver a batch that failed all its request retries. Default 1 s doubling to 30 s. */
  batchRetryBaseMs?: number;
  batchRetryMaxMs?: number;
  onDebug?: (message: string) => void;
  /** Ask `/info` at construction (default true). */
  discoverEndpoints?: boolean;
}

export interface HttpSinkStats {
  events: UploadQueueStats;
  statuses: UploadQueueStats;
  /** Where the next event batch goes: v2, or the v1/diagnostics fallback. */
  eventsEndpoint: typeof EVENTS_V2_PATH | typeof DIAGNOSTICS_PATH;
}

export class HttpSink implements Sink {
  readonly #client: AgentClient;
  readonly #ownsClient: boolean;
  readonly #ddtags: string;
  readonly #retry: Partial<RetryPolicy>;
  readonly #debug: (message: string) => void;
  readonly #events: UploadQueue;
  readonly #statuses: UploadQueue;
  /** Permanent once set: the agent lacks v2 or answered 404 on it. */
  #v2Unavailable = false;
  #exitHookInstalled = false;
  #closed: Promise<void> | undefined;

  constructor(options: HttpSinkOptions) {
    const { config } = options;
    this.#debug = options.onDebug ?? (() => {});
    this.#client = options.client ?? new AgentClient({ agentUrl: config.agentUrl, onDebug: this.#debug });
    this.#ownsClient = options.client === undefined;
    this.#retry = { ...options.requestRetry };
    this.#ddtags = buildDdtags(config, options.debuggerVersion ?? agentVersion(), (key, value) =>
      this.#debug(`ddtags: dropping ${key}=${JSON.stringify(value)} (contains a comma)`),
    );
    const maxBatchBytes = options.maxBatchBytes ?? MAX_BATCH_BYTES;
    const common = {
      intervalMs: Math.max(1, config.uploadIntervalSeconds * 1000),
      maxBatchBytes,
      retryBaseMs: options.batchRetryBaseMs ?? 1000,
      retryMaxMs: options.batchRetryMaxMs ?? 30_000,
      onBacklog: () => this.#updateExitHook(),
    };
    this.#events = new UploadQueue({
      ...common,
      maxQueueItems: options.events?.maxQueueItems ?? 4096,
      maxQueueBytes: options.events?.maxQueueBytes ?? 8 * 1024 * 1024,
      upload: (items, final) => this.#uploadEvents(items, final),
    });
    this.#statuses = new UploadQueue({
      ...common,
      maxQueueItems: options.statuses?.maxQueueItems ?? 1024,
      maxQueueBytes: options.statuses?.maxQueueBytes ?? 1024 * 1024,
      upload: (items, final) => this.#uploadStatuses(items, final),
    });
    // In the background (the client's sockets never hold the process); the answer is cached.
    if (options.discoverEndpoints !== false) void this.#client.info();
  }

  emitEvent(event: ProbeEvent, json?: string): void {
    this.#events.push(json !== undefined ? () => json : () => JSON.stringify(event));
  }

  emitStatus(item: DiagnosticItem): void {
    this.#statuses.push(() => JSON.stringify(item));
  }

  /** Sends what is queued, with retries. The process stays up while the caller waits. */
  async flush(): Promise<void> {
    await holdProcessDuring(() => Promise.all([this.#events.flush(), this.#statuses.flush()]));
  }

  /** One last single-attempt flush, then timers and sockets are released. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= holdProcessDuring(async () => {
      await Promise.all([this.#events.flush(true), this.#statuses.flush(true)]);
      this.#events.close();
      this.#statuses.close();
      this.#updateExitHook();
      if (this.#ownsClient) this.#client.close();
    });
    return this.#closed;
  }

  stats(): HttpSinkStats {
    return {
      events: this.#events.stats(),
      statuses: this.#statuses.stats(),
      eventsEndpoint: this.#v2Unavailable ? DIAGNOSTICS_PATH : EVENTS_V2_PATH,
    };
  }

  async #uploadEvents(items: readonly string[], final: boolean): Promise<UploadOutcome> {
    const useV2 = !this.#v2Unavailable && (await this.#v2Offered(final));
    const path = `${useV2 ? EVENTS_V2_PATH : DIAGNOSTICS_PATH}?ddtags=${encodeURIComponent(this.#ddtags)}`;
    const result = await this.#client.request({
      method: 'POST',
      path,
      headers: { 'Content-Type': JSON_CONTENT_TYPE },
      body: `[${items.join(',')}]`,
      ...this.#attemptOptions(final),
    });
    if (useV2 && result.kind === 'response' && result.status === 404) {
      this.#debug(`${EVENTS_V2_PATH} answered 404: using ${DIAGNOSTICS_PATH} from now on`);
      this.#v2Unavailable = true;
      return 'again';
    }
    return this.#outcome(result, `${items.length} event(s)`);
  }

  async #uploadStatuses(items: readonly string[], final: boolean): Promise<UploadOutcome> {
    const { contentType, body } = buildMultipart([
      { name: 'event', filename: 'event.json', contentType: JSON_CONTENT_TYPE, data: `[${items.join(',')}]` },
    ]);
    const result = await this.#client.request({
      method: 'POST',
      path: DIAGNOSTICS_PATH,
      headers: { 'Content-Type': contentType },
      body,
      ...this.#attemptOptions(final),
    });
    return this.#outcome(result, `${items.length} status(es)`);
  }

  /**
   * v2 when `/info` lists it; when `/info` is unknown, v1/diagnostics for now (dd-trace-js). The
   * last flush sends no `/info` of its own (one request is all the exit delay we allow
   * ourselves): it uses the answer to the discovery begun at construction, waiting for it if
   * it is still in flight (bounded by the request timeout).
   */
  async #v2Offered(final: boolean): Promise<boolean> {
    const offered = await this.#client.offers(EVENTS_V2_PATH, { cachedOnly: final });
    if (offered === false) {
      this.#debug(`the agent does not offer ${EVENTS_V2_PATH}: using ${DIAGNOSTICS_PATH}`);
      this.#v2Unavailable = true;
    }
    return offered === true;
  }

  /** The last flush (close, exit) makes one attempt; the others retry. */
  #attemptOptions(final: boolean): { retry: false | Partial<RetryPolicy> } {
    return { retry: final ? false : this.#retry };
  }

  #outcome(result: AgentResult, what: string): UploadOutcome {
    if (isSuccess(result)) return 'sent';
    this.#debug(`upload of ${what} failed: ${describeResult(result)}`);
    return isRetryable(result) ? 'retry' : 'rejected';
  }

  // beforeExit fires when the loop runs dry; our timers are unref'd, so this is the last chance
  // to deliver what is queued. Registered only while something is queued, and removed before the
  // flush so that a failed flush cannot make the process loop on beforeExit.
  readonly #onBeforeExit = (): void => {
    this.#setExitHook(false);
    void holdProcessDuring(() => Promise.all([this.#events.flush(true), this.#statuses.flush(true)]));
  };

  #updateExitHook(): void {
    this.#setExitHook(this.#closed === undefined && (this.#events.size > 0 || this.#statuses.size > 0));
  }

  #setExitHook(on: boolean): void {
    if (on === this.#exitHookInstalled) return;
    this.#exitHookInstalled = on;
    if (on) process.on('beforeExit', this.#onBeforeExit);
    else process.off('beforeExit', this.#onBeforeExit);
  }
}
