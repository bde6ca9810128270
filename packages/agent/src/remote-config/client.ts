/**
 * The Remote Config client (shared/reference/remote-config.md): polls `POST /v0.7/config` with the
 * complete client state, verifies every target file against the targets document, derives
 * inserts, updates and deletes per config path, and dispatches them to the registered
 * {@link ProductHandler}s. One bad file is reported as `apply_state` ERROR; everything else
 * keeps working. Polls never overlap, the timer is unref'd, and nothing here throws or rejects.
 */
import { randomUUID } from 'node:crypto';
import type { AgentConfig } from '../config/settings.js';
import { AgentClient, describeResult } from '../transport/agent-client.js';
import { holdProcessDuring } from '../transport/hold-process.js';
import { agentVersion } from '../transport/version.js';
import { encodeCapabilities } from './capabilities.js';
import { ConfigStore, errorText } from './config-store.js';
import type { CachedTargetFile, ConfigState, ProductHandler, ProductRegistration } from './product-handler.js';

export const REMOTE_CONFIG_PATH = '/v0.7/config';

export type RemoteConfigClientConfig = Pick<
  AgentConfig,
  'agentUrl' | 'service' | 'env' | 'version' | 'tags' | 'runtimeId' | 'remoteConfigPollIntervalSeconds' | 'gitCommitSha' | 'gitRepositoryUrl'
>;

export interface RemoteConfigClientOptions {
  config: RemoteConfigClientConfig;
  /** Share one client with the HTTP sink; when absent the RC client owns its own. */
  client?: AgentClient;
  /** `client_tracer.tracer_version`; defaults to the package version. */
  tracerVersion?: string;
  /** Poll interval while the agent answers 404 (RC disabled there). Default: max(30 s, the poll interval). */
  disabledPollIntervalMs?: number;
  onDebug?: (message: string) => void;
}

/** What the client reports about itself (the `client.state` it will send next). */
export interface RemoteConfigState {
  rootVersion: number;
  targetsVersion: number;
  backendClientState: string;
  configStates: ConfigState[];
  cachedTargetFiles: CachedTargetFile[];
  hasError: boolean;
  error: string;
  products: string[];
}

export class RemoteConfigClient {
  readonly #config: RemoteConfigClientConfig;
  readonly #client: AgentClient;
  readonly #ownsClient: boolean;
  readonly #clientId = randomUUID();
  readonly #tracerVersion: string;
  readonly #intervalMs: number;
  readonly #disabledIntervalMs: number;
  readonly #debug: (message: string) => void;
  readonly #store: ConfigStore;
  #error = '';
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(options: RemoteConfigClientOptions) {
    this.#config = options.config;
    this.#debug = options.onDebug ?? (() => {});
    this.#store = new ConfigStore(this.#debug);
    this.#client = options.client ?? new AgentClient({ agentUrl: options.config.agentUrl, onDebug: this.#debug });
    this.#ownsClient = options.client === undefined;
    this.#tracerVersion = options.tracerVersion ?? agentVersion();
    this.#intervalMs = Math.max(10, options.config.remoteConfigPollIntervalSeconds * 1000);
    this.#disabledIntervalMs = options.disabledPollIntervalMs ?? Math.max(30_000, this.#intervalMs);
  }

  /** `client.id`: random per client, distinct from the runtime id. */
  get id(): string {
    return this.#clientId;
  }

  /**
   * Subscribes a product. Its files are dispatched from the next poll on. Returns a function that
   * unsubscribes it: its configs are forgotten without calls to `onDelete`.
   */
  registerProduct(product: string, handler: ProductHandler, registration: ProductRegistration = {}): () => void {
    const unregister = this.#store.addProduct(product, { handler, capabilities: registration.capabilities ?? [] });
    this.#schedule(0); // like dd-trace-js: a new subscription is served at once, not one interval later
    return () => {
      unregister();
      this.#schedule(0);
    };
  }

  /** Starts polling: first poll now, then one interval after each poll finishes. Idempotent. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#schedule(0);
  }

  /** Stops polling (a poll in flight completes). `start()` resumes. */
  stop(): void {
    this.#started = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Runs one poll after any poll in flight; the process stays up while the caller waits. Never rejects. */
  poll(): Promise<void> {
    return holdProcessDuring(() => this.#enqueuePoll());
  }

  /** Stops polling, waits for a poll in flight, releases the agent client if owned. Idempotent. */
  async close(): Promise<void> {
    this.stop();
    this.#closed = true;
    await holdProcessDuring(() => this.#chain);
    if (this.#ownsClient) this.#client.close();
  }

  /** The state the next request will carry. */
  state(): RemoteConfigState {
    return {
      rootVersion: 1,
      targetsVersion: this.#store.targetsVersion,
      backendClientState: this.#store.backendClientState,
      configStates: this.#store.configStates(),
      cachedTargetFiles: this.#store.cachedTargetFiles(),
      hasError: this.#error !== '',
      error: this.#error,
      products: this.#store.products(),
    };
  }

  /** The complete `/v0.7/config` request body (shared/reference/remote-config.md §2). */
  buildRequest(): Record<string, unknown> {
    const c = this.#config;
    const tracer: Record<string, unknown> = {
      runtime_id: c.runtimeId,
      language: 'node',
      tracer_version: this.#tracerVersion,
      service: c.service,
      ...(c.env !== undefined ? { env: c.env } : {}),
      ...(c.version !== undefined ? { app_version: c.version } : {}),
      tags: this.#tracerTags(),
      extra_services: [],
    };
    return {
      client: {
        state: {
          root_version: 1,
          targets_version: this.#store.targetsVersion,
          config_states: this.#store.configStates(),
          has_error: this.#error !== '',
          error: this.#error,
          backend_client_state: this.#store.backendClientState,
        },
        id: this.#clientId,
        products: this.#store.products(),
        is_tracer: true,
        client_tracer: tracer,
        capabilities: encodeCapabilities(this.#store.capabilities()),
      },
      cached_target_files: this.#store.cachedTargetFiles(),
    };
  }

  #schedule(delayMs: number): void {
    if (!this.#started || this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#enqueuePoll();
    }, delayMs);
    this.#timer.unref();
  }

  #enqueuePoll(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#pollOnce()).catch(() => {});
    return this.#chain;
  }

  async #pollOnce(): Promise<void> {
    let nextDelay = this.#intervalMs;
    try {
      if (this.#closed || this.#store.products().length === 0) return;
      const result = await this.#client.request({
        method: 'POST',
        path: REMOTE_CONFIG_PATH,
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(this.buildRequest()),
      });
      if (this.#closed) return;
      if (result.kind === 'response' && result.status === 404) {
        // RC is disabled on the agent: not an error, but no reason to ask often.
        nextDelay = this.#disabledIntervalMs;
        return;
      }
      if (result.kind === 'error' || result.status < 200 || result.status >= 300) {
        this.#debug(`remote config poll failed: ${describeResult(result)}`);
        return;
      }
      try {
        this.#store.process(result.body);
        this.#error = '';
      } catch (err) {
        this.#error = errorText(err);
        this.#debug(`remote config response rejected: ${this.#error}`);
      }
    } catch (err) {
      // Unreachable by design; kept so that a bug can never become an unhandled rejection.
      this.#debug(`remote config poll crashed: ${errorText(err)}`);
    } finally {
      if (this.#started && !this.#closed && !this.#timer) this.#schedule(nextDelay);
    }
  }

  #tracerTags(): string[] {
    const c = this.#config;
    const tags = new Map<string, string>(Object.entries(c.tags));
    if (c.env !== undefined) tags.set('env', c.env);
    if (c.version !== undefined) tags.set('version', c.version);
    tags.set('runtime-id', c.runtimeId);
    tags.set('_dd.rc.client_id', this.#clientId);
    if (c.gitRepositoryUrl !== undefined) tags.set('git.repository_url', c.gitRepositoryUrl);
    if (c.gitCommitSha !== undefined) tags.set('git.commit.sha', c.gitCommitSha);
    return [...tags].map(([k, v]) => `${k}:${v}`);
  }
}

