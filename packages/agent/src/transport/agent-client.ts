/**
 * The one HTTP client that talks to the Datadog-protocol agent (or the Periscope server acting as
 * one): `http://`, `https://` and `unix://` base URLs, a keep-alive pool, a hard deadline per
 * request, retries with backoff, and `/info` discovery. It never throws and never rejects:
 * every outcome, network failures included, comes back as an {@link AgentResult}.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_RETRY_POLICY, backoffDelay, sleep, type RetryPolicy } from './backoff.js';

export interface AgentClientOptions {
  /** Base URL of the agent (`AgentConfig.agentUrl`). */
  agentUrl: URL;
  /** Deadline for one attempt, connection to last body byte. Default 2000 ms. */
  timeoutMs?: number;
  /** Default retry policy for requests that ask for retries. */
  retry?: Partial<RetryPolicy>;
  /** How long a successful `/info` answer is trusted before it is fetched again. Default 5 min. */
  infoRefreshMs?: number;
  /** Responses larger than this are abandoned (memory stays bounded). Default 32 MiB. */
  maxResponseBytes?: number;
  /** Debug log sink; silent by default. */
  onDebug?: (message: string) => void;
}

export interface AgentRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Path with query string, e.g. `/debugger/v2/input?ddtags=…`. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** `true` uses the client's policy; an object overrides it; absent or `false`: one attempt. */
  retry?: boolean | Partial<RetryPolicy>;
  timeoutMs?: number;
  /**
   * Keep the event loop alive while this request runs. Off by default so that a pending upload
   * or poll never delays the app's exit; the exit-time flush turns it on.
   */
  keepProcessAlive?: boolean;
}

/** Why a request produced no HTTP response. */
export type AgentErrorCode = 'NETWORK' | 'TIMEOUT' | 'RESPONSE_TOO_LARGE' | 'CLOSED';

export type AgentResult =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: Buffer; attempts: number }
  | { kind: 'error'; code: AgentErrorCode; message: string; attempts: number };

/** The parts of the agent's `GET /info` answer we use. */
export interface AgentInfo {
  endpoints: readonly string[];
  version: string | undefined;
}

/** Network errors, 5xx and 429 are worth another attempt; other 4xx never are. */
export function isRetryable(result: AgentResult): boolean {
  if (result.kind === 'error') return result.code !== 'CLOSED';
  return result.status >= 500 || result.status === 429;
}

export function isSuccess(result: AgentResult): result is Extract<AgentResult, { kind: 'response' }> {
  return result.kind === 'response' && result.status >= 200 && result.status < 300;
}

type InfoCache = { info: AgentInfo | undefined; fetchedAt: number };

export class AgentClient {
  readonly #base: URL;
  readonly #socketPath: string | undefined;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #infoRefreshMs: number;
  readonly #maxResponseBytes: number;
  readonly #debug: (message: string) => void;
  readonly #closing = new AbortController();
  #info: InfoCache | undefined;
  #infoPending: Promise<AgentInfo | undefined> | undefined;

  constructor(options: AgentClientOptions) {
    const url = options.agentUrl;
    this.#socketPath = url.protocol === 'unix:' ? decodeURIComponent(url.pathname) : undefined;
    this.#base = this.#socketPath !== undefined ? new URL('http://localhost') : url;
    const secure = this.#base.protocol === 'https:';
    // Free keep-alive sockets are unref'd by node's Agent, so the pool never holds the process.
    this.#agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 4 }) : new http.Agent({ keepAlive: true, maxSockets: 4 });
    this.#request = secure ? https.request : http.request;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#infoRefreshMs = options.infoRefreshMs ?? 5 * 60_000;
    this.#maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024;
    this.#debug = options.onDebug ?? (() => {});
  }

  /** The agent's base URL as configured (for messages). */
  get url(): string {
    return this.#socketPath !== undefined ? `unix://${this.#socketPath}` : this.#base.origin;
  }

  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** Sends a request, retrying as asked. Never rejects. */
  async request(req: AgentRequest): Promise<AgentResult> {
    const policy = req.retry === true ? this.#retry : req.retry ? { ...this.#retry, ...req.retry } : undefined;
    const maxAttempts = policy ? Math.max(1, policy.maxAttempts) : 1;
    let result: AgentResult = { kind: 'error', code: 'CLOSED', message: 'agent client closed', attempts: 0 };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (this.closed) return { kind: 'error', code: 'CLOSED', message: 'agent client closed', attempts: attempt - 1 };
      result = { ...(await this.#once(req)), attempts: attempt };
      if (!isRetryable(result) || attempt === maxAttempts || !policy) break;
      const delay = backoffDelay(policy, attempt);
      this.#debug(`${req.method} ${req.path.split('?')[0]} failed (${describeResult(result)}); retry ${attempt} in ${delay} ms`);
      await sleep(delay, this.#closing.signal);
    }
    return result;
  }

  /**
   * The agent's `/info`, cached for `infoRefreshMs`. An HTTP answer is cached even when it is
   * not usable (old agents answer 404: `undefined`); a network failure is not, so an agent that
   * comes up later is discovered on the next call.
   */
  async info(options: { refresh?: boolean } = {}): Promise<AgentInfo | undefined> {
    const cached = this.#info;
    if (!options.refresh && cached && Date.now() - cached.fetchedAt < this.#infoRefreshMs) return cached.info;
    this.#infoPending ??= this.#fetchInfo().finally(() => {
      this.#infoPending = undefined;
    });
    return this.#infoPending;
  }

  /**
   * Whether `/info` lists `endpoint`; `undefined` when `/info` is unknown. With `cachedOnly`,
   * answers from the last `/info` seen (fresh or not), or from the one in flight, without
   * sending a new request.
   */
  async offers(endpoint: string, options: { cachedOnly?: boolean } = {}): Promise<boolean | undefined> {
    const info = options.cachedOnly ? (this.#info?.info ?? (await this.#infoPending)) : await this.info();
    return info ? info.endpoints.includes(endpoint) : undefined;
  }

  /** Aborts retry waits and destroys pooled and in-flight sockets. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.#closing.abort();
    this.#agent.destroy();
  }

  async #fetchInfo(): Promise<AgentInfo | undefined> {
    const res = await this.request({ method: 'GET', path: '/info' });
    if (res.kind === 'error') return undefined;
    let info: AgentInfo | undefined;
    if (isSuccess(res)) {
      try {
        const body = JSON.parse(res.body.toString('utf8')) as unknown;
        if (typeof body === 'object' && body !== null) {
          const b = body as Record<string, unknown>;
          const endpoints = Array.isArray(b['endpoints']) ? b['endpoints'].filter((e): e is string => typeof e === 'string') : [];
          info = { endpoints, version: typeof b['version'] === 'string' ? b['version'] : undefined };
        }
      } catch {
        this.#debug('/info answered with a body that is not JSON');
      }
    }
    this.#info = { info, fetchedAt: Date.now() };
    return info;
  }

  #once(req: AgentRequest): Promise<Omit<Extract<AgentResult, { kind: 'response' }>, 'attempts'> | Omit<Extract<AgentResult, { kind: 'error' }>, 'attempts'>> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (r: Parameters<typeof resolve>[0]): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve(r);
      };
      const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
      const headers: Record<string, string | number> = { ...req.headers };
      if (body) headers['Content-Length'] = body.length;
      let request: http.ClientRequest;
      try {
        request = this.#request({
          protocol: this.#base.protocol,
          hostname: this.#base.hostname.replace(/^\[|\]$/g, ''),
          port: this.#base.port || undefined,
          socketPath: this.#socketPath,
          path: joinPath(this.#base.pathname, req.path),
          method: req.method,
          headers,
          agent: this.#agent,
        });
      } catch (err) {
        finish({ kind: 'error', code: 'NETWORK', message: errorMessage(err) });
        return;
      }
      // One deadline for the whole exchange: socket timeouts would not catch a trickling body.
      const deadline = setTimeout(() => {
        finish({ kind: 'error', code: 'TIMEOUT', message: `no complete answer within ${req.timeoutMs ?? this.#timeoutMs} ms` });
        request.destroy();
      }, req.timeoutMs ?? this.#timeoutMs);
      deadline.unref();
      request.on('socket', (socket) => {
        if (req.keepProcessAlive) socket.ref();
        else socket.unref();
      });
      request.on('error', (err) => finish({ kind: 'error', code: this.closed ? 'CLOSED' : 'NETWORK', message: errorMessage(err) }));
      request.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.#maxResponseBytes) {
            finish({ kind: 'error', code: 'RESPONSE_TOO_LARGE', message: `response larger than ${this.#maxResponseBytes} bytes` });
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => finish({ kind: 'error', code: 'NETWORK', message: errorMessage(err) }));
        res.on('end', () =>
          finish({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size) }),
        );
      });
      request.end(body);
    });
  }
}

function joinPath(basePath: string, path: string): string {
  const base = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  return base + path;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return 'unknown error';
}

/** One-line description of an outcome, for debug logs and error messages. */
export function describeResult(result: AgentResult): string {
  return result.kind === 'error' ? `${result.code}: ${result.message}` : `HTTP ${result.status}`;
}
