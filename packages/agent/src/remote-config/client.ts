/**
 * The Remote Config client (shared/reference/remote-config.md): polls `POST /v0.7/config` with the
 * complete client state, verifies every target file against the targets document, derives
 * inserts, updates and deletes per config path, and dispatches them to the registered
 * {@link ProductHandler}s. One bad file is reported as `apply_state` ERROR; everything else
 * keeps working. Polls never overlap, the timer is unref'd, and nothing here throws or rejects.
 */
import { randomUUID } from 'node:crypto';
import type { AgentConfig } from '../config/settings.js';
import { AgentClient, describe } from '../transport/agent-client.js';
import { holdProcessDuring } from '../transport/hold-process.js';
import { agentVersion } from '../transport/version.js';
import { encodeCapabilities } from './capabilities.js';
import { parseConfigPath } from './config-path.js';
import {
  ApplyState,
  type ApplyStateValue,
  type CachedTargetFile,
  type ConfigState,
  type ProductHandler,
  type ProductRegistration,
  type RemoteConfigFile,
} from './product-handler.js';
import { decodeTargets, isObject, verifyTarget, type TargetMeta } from './targets.js';

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

interface Applied {
  /** Metadata of the latest version received for this path. */
  file: RemoteConfigFile;
  /** Hash of the content the handler currently holds; undefined when it holds none. */
  heldSha256: string | undefined;
  applyState: ApplyStateValue;
  applyError: string;
  /** Bumped on every dispatch so that a late async completion cannot overwrite a newer state. */
  token: number;
}

interface Registration {
  handler: ProductHandler;
  capabilities: readonly number[];
}

type Change = { kind: 'insert' | 'update'; entry: Applied; content: unknown };

export class RemoteConfigClient {
  readonly #config: RemoteConfigClientConfig;
  readonly #client: AgentClient;
  readonly #ownsClient: boolean;
  readonly #clientId = randomUUID();
  readonly #tracerVersion: string;
  readonly #intervalMs: number;
  readonly #disabledIntervalMs: number;
  readonly #debug: (message: string) => void;
  readonly #products = new Map<string, Registration>();
  readonly #applied = new Map<string, Applied>();
  #targetsVersion = 0;
  #backendClientState = '';
  #error = '';
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #closed = false;
  #chain: Promise<void> = Promise.resolve();

  constructor(options: RemoteConfigClientOptions) {
    this.#config = options.config;
    this.#debug = options.onDebug ?? (() => {});
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
    const entry: Registration = { handler, capabilities: registration.capabilities ?? [] };
    this.#products.set(product, entry);
    this.#productsChanged();
    return () => {
      if (this.#products.get(product) !== entry) return;
      this.#products.delete(product);
      for (const [path, applied] of this.#applied) if (applied.file.product === product) this.#applied.delete(path);
      this.#productsChanged();
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
      targetsVersion: this.#targetsVersion,
      backendClientState: this.#backendClientState,
      configStates: this.#configStates(),
      cachedTargetFiles: this.#cachedTargetFiles(),
      hasError: this.#error !== '',
      error: this.#error,
      products: [...this.#products.keys()],
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
    const capabilities = [...this.#products.values()].flatMap((p) => p.capabilities);
    return {
      client: {
        state: {
          root_version: 1,
          targets_version: this.#targetsVersion,
          config_states: this.#configStates(),
          has_error: this.#error !== '',
          error: this.#error,
          backend_client_state: this.#backendClientState,
        },
        id: this.#clientId,
        products: [...this.#products.keys()],
        is_tracer: true,
        client_tracer: tracer,
        capabilities: encodeCapabilities(capabilities),
      },
      cached_target_files: this.#cachedTargetFiles(),
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
      if (this.#closed || this.#products.size === 0) return;
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
        this.#debug(`remote config poll failed: ${describe(result)}`);
        return;
      }
      try {
        this.#process(result.body);
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

  /** Applies one response (§5). Throws for a response that is unusable as a whole; state is then unchanged. */
  #process(body: Buffer): void {
    const text = body.toString('utf8');
    if (text.trim() === '') return;
    let response: unknown;
    try {
      response = JSON.parse(text);
    } catch {
      throw new Error(`response is not JSON (${body.length} bytes)`);
    }
    if (!isObject(response)) throw new Error('response is not a JSON object');
    const rawTargets = response['targets'];
    // Without a targets document nothing changed (Python/Ruby rule; see §3.2).
    if (rawTargets === undefined || rawTargets === null || rawTargets === '') return;
    if (typeof rawTargets !== 'string') throw new Error('targets is not a base64 string');
    const doc = decodeTargets(rawTargets);
    const clientConfigs = readStringArray(response['client_configs'], 'client_configs');
    const files = new Map<string, unknown>();
    for (const f of readArray(response['target_files'], 'target_files')) {
      if (isObject(f) && typeof f['path'] === 'string') files.set(f['path'], f['raw']);
    }

    const problems: string[] = [];
    const wanted = new Set<string>();
    const changes: Change[] = [];
    for (const path of clientConfigs) {
      const parsed = parseConfigPath(path);
      if (!parsed) {
        problems.push(`Unable to parse path ${path}`);
        continue;
      }
      if (!this.#products.has(parsed.product)) continue; // not subscribed: not ours to report
      wanted.add(path);
      const meta = doc.targets.get(path);
      const previous = this.#applied.get(path);
      const file: RemoteConfigFile = {
        path,
        product: parsed.product,
        id: parsed.id,
        version: meta && 'sha256' in meta ? meta.version : 0,
        sha256: meta && 'sha256' in meta ? meta.sha256 : '',
        length: meta && 'sha256' in meta ? meta.length : 0,
      };
      const entry: Applied = previous ?? { file, heldSha256: undefined, applyState: ApplyState.UNKNOWN, applyError: '', token: 0 };
      if (!meta || !('sha256' in meta)) {
        this.#fail(entry, file, meta ? meta.error : `no target metadata for ${path}`);
        continue;
      }
      const unchanged =
        previous &&
        ((previous.applyState !== ApplyState.ERROR && previous.heldSha256 === meta.sha256) ||
          (previous.applyState === ApplyState.UNACKNOWLEDGED && previous.file.sha256 === meta.sha256));
      if (previous && unchanged) {
        previous.file = file; // same bytes (held, or still being applied); `custom.v` may still have moved
        continue;
      }
      const content = this.#readFile(files.get(path), meta);
      if ('error' in content) {
        this.#fail(entry, file, content.error);
        continue;
      }
      entry.file = file;
      this.#applied.set(path, entry);
      changes.push({ kind: entry.heldSha256 === undefined ? 'insert' : 'update', entry, content: content.value });
    }

    const removed = [...this.#applied.values()].filter((e) => !wanted.has(e.file.path));
    for (const entry of removed) this.#applied.delete(entry.file.path);
    for (const entry of removed) this.#dispatchDelete(entry);
    for (const change of changes) if (change.kind === 'insert') this.#dispatch(change);
    for (const change of changes) if (change.kind === 'update') this.#dispatch(change);

    this.#targetsVersion = doc.version;
    this.#backendClientState = doc.opaqueBackendState ?? '';
    if (problems.length > 0) throw new Error(problems.join('; '));
  }

  #readFile(raw: unknown, meta: TargetMeta): { value: unknown } | { error: string } {
    if (typeof raw !== 'string') return { error: 'target file missing from the response' };
    const bytes = Buffer.from(raw, 'base64');
    const mismatch = verifyTarget(bytes, meta);
    if (mismatch) return { error: mismatch };
    try {
      return { value: JSON.parse(bytes.toString('utf8')) as unknown };
    } catch (err) {
      return { error: `config file is not valid JSON: ${(err as Error).message}` };
    }
  }

  /** Records a file that never reached its handler. What the handler held before stays in place. */
  #fail(entry: Applied, file: RemoteConfigFile, message: string): void {
    entry.file = file;
    entry.applyState = ApplyState.ERROR;
    entry.applyError = message;
    entry.token++;
    this.#applied.set(file.path, entry);
  }

  #dispatch(change: Change): void {
    const { entry, content } = change;
    const handler = this.#products.get(entry.file.product)?.handler;
    if (!handler) return;
    const file = { ...entry.file };
    const token = ++entry.token;
    entry.applyState = ApplyState.UNACKNOWLEDGED;
    entry.applyError = '';
    const settle = (error: unknown, failed: boolean): void => {
      if (entry.token !== token || this.#applied.get(file.path) !== entry) return;
      entry.applyState = failed ? ApplyState.ERROR : ApplyState.ACKNOWLEDGED;
      entry.applyError = failed ? errorText(error) : '';
      if (!failed) entry.heldSha256 = file.sha256;
    };
    try {
      const result =
        change.kind === 'update' && handler.onUpdate ? handler.onUpdate(file, content) : handler.onInsert(file, content);
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(
          () => settle(undefined, false),
          (err: unknown) => settle(err, true),
        );
      } else settle(undefined, false);
    } catch (err) {
      settle(err, true);
    }
  }

  #dispatchDelete(entry: Applied): void {
    entry.token++;
    if (entry.heldSha256 === undefined) return;
    const handler = this.#products.get(entry.file.product)?.handler;
    try {
      const result = handler?.onDelete({ ...entry.file });
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(undefined, (err: unknown) => this.#debug(`delete of ${entry.file.path} failed: ${errorText(err)}`));
      }
    } catch (err) {
      this.#debug(`delete of ${entry.file.path} failed: ${errorText(err)}`);
    }
  }

  #configStates(): ConfigState[] {
    return [...this.#applied.values()].map((e) => ({
      id: e.file.id,
      version: e.file.version,
      product: e.file.product,
      apply_state: e.applyState,
      apply_error: e.applyError,
    }));
  }

  /**
   * Files in ERROR are left out, so that the agent sends them again with the next targets
   * version instead of believing we hold them.
   */
  #cachedTargetFiles(): CachedTargetFile[] {
    const out: CachedTargetFile[] = [];
    for (const e of this.#applied.values()) {
      if (e.applyState === ApplyState.ERROR) continue;
      out.push({ path: e.file.path, length: e.file.length, hashes: [{ algorithm: 'sha256', hash: e.file.sha256 }] });
    }
    return out;
  }

  /**
   * The agent answers `{}` while our targets version matches its own, so a product subscribed
   * later would never see the files that already exist. Asking again from version 0 gets the
   * full list; files we hold are recognised by hash and not re-dispatched.
   */
  #productsChanged(): void {
    this.#targetsVersion = 0;
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

function readArray(value: unknown, name: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${name} is not an array`);
  return value;
}

function readStringArray(value: unknown, name: string): string[] {
  const list = readArray(value, name);
  if (!list.every((v): v is string => typeof v === 'string')) throw new Error(`${name} holds a non-string`);
  return list;
}

/** `Error: message`, like dd-trace-js's `err.toString()`, without calling user code. */
function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err === 'string' ? err : 'unknown error';
}
