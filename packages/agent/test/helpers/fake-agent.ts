/**
 * An in-repo fake Datadog agent for tests: real HTTP on 127.0.0.1 (or a Unix socket), `/info`
 * discovery, Remote Config (`/v0.7/config`) computed from files or probes the test sets, the
 * debugger and symdb intakes, and fault injection (slow, hang, status codes, garbage, connection
 * reset, down/up). Every request is recorded with its parsed body: JSON, multipart parts (with
 * their raw part headers) and gunzipped payloads.
 *
 * ```ts
 * const agent = await FakeAgent.start();
 * agent.setRcProbes([{ id: 'p1', type: 'LOG_PROBE', ... }]);
 * // … point the code under test at agent.url …
 * const installed = await agent.waitFor(() => agent.statuses().find((s) => s['debugger'].diagnostics.status === 'INSTALLED'));
 * agent.injectFault({ kind: 'status', status: 500 }, { path: '/debugger/v2/input', times: 2 });
 * await agent.down(); … await agent.up();
 * await agent.close();
 * ```
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** What `/info` lists by default (a current Datadog Agent, trimmed to what matters here). */
export const DEFAULT_AGENT_ENDPOINTS: readonly string[] = Object.freeze([
  '/v0.4/traces',
  '/v0.7/config',
  '/debugger/v1/input',
  '/debugger/v1/diagnostics',
  '/debugger/v2/input',
  '/symdb/v1/input',
  '/info',
]);

export interface FakeAgentOptions {
  /** Endpoints listed by `/info`; `null` makes `/info` answer 404 (very old agents). */
  endpoints?: readonly string[] | null;
  /** Serve Remote Config (default true); `false` answers 404 on `/v0.7/config` like an agent with RC off. */
  remoteConfig?: boolean;
  /** Listen on this Unix socket instead of 127.0.0.1:0. */
  socketPath?: string;
}

export interface RecordedPart {
  /** Part headers as sent (original case), e.g. `Content-Disposition`, `Content-Type`. */
  headers: Record<string, string>;
  name: string | undefined;
  filename: string | undefined;
  contentType: string | undefined;
  /** Part bytes, gunzipped when the part is gzip (see `gzipped`). */
  data: Buffer;
  gzipped: boolean;
  /** `data` parsed as JSON when it parses. */
  json?: unknown;
}

export interface RecordedRequest {
  /** 0-based arrival order. */
  seq: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** Body bytes (gunzipped when `Content-Encoding: gzip`). */
  body: Buffer;
  /** The body parsed as JSON, when it parses. */
  json?: unknown;
  /** Multipart parts, when the body is `multipart/form-data`. */
  parts?: RecordedPart[];
  /** The status we answered with; `undefined` when a fault gave no answer (reset, hang). */
  status: number | undefined;
  /** The fault applied to this request, if any. */
  fault?: Fault['kind'];
  /** Requests to the same path still unanswered when this one arrived (0 = no overlap). */
  concurrent: number;
}

export type Fault =
  | { kind: 'status'; status: number; body?: string }
  /** Answers normally, after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Never answers (the socket stays open until the client gives up or the agent closes). */
  | { kind: 'hang' }
  /** 200 with a body that is not JSON. */
  | { kind: 'garbage' }
  /** Destroys the connection without an answer. */
  | { kind: 'reset' };

export interface FaultRule {
  /** Exact path, or a pattern on the path; all paths when absent. */
  path?: string | RegExp;
  method?: string;
  /** How many requests it applies to; unlimited when absent. */
  times?: number;
}

/** A Remote Config file to serve. */
export interface RcFileSpec {
  /** Full config path; or give `product` and `id` for `datadog/2/<product>/<id>/config`. */
  path?: string;
  product?: string;
  id?: string;
  /** Exact bytes (Buffer or string), or a value serialised with `JSON.stringify`. */
  content: unknown;
  /** `custom.v`; default 1. */
  version?: number;
  /** Lie in the targets document (to test integrity checks). */
  meta?: { sha256?: string; length?: number };
}

export interface RcResponse {
  targets: string;
  target_files: Array<{ path: string; raw: string }>;
  client_configs: string[];
}

const OPAQUE_BACKEND_STATE = Buffer.from('{"fake":"agent"}').toString('base64');

/** The config path of a file spec. */
export function rcFilePath(spec: RcFileSpec): string {
  if (spec.path) return spec.path;
  if (!spec.product || !spec.id) throw new Error('RcFileSpec needs a path, or a product and an id');
  return `datadog/2/${spec.product}/${spec.id}/config`;
}

/** The LIVE_DEBUGGING path of a probe, as the backend (and system-tests) name it. */
export function probePath(probe: { id: string; type: string }): string {
  const camel = probe.type.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return `datadog/2/LIVE_DEBUGGING/${camel}_${probe.id}/config`;
}

function fileBytes(content: unknown): Buffer {
  if (Buffer.isBuffer(content)) return content;
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return Buffer.from(JSON.stringify(content), 'utf8');
}

/**
 * Builds a complete RC response (targets document with hashes, target files, client configs),
 * the way the agent does. `cached` leaves out of `target_files` the files the client holds.
 */
export function buildRcResponse(
  version: number,
  files: readonly RcFileSpec[],
  options: { cached?: ReadonlyArray<{ path: string; hash: string }>; opaqueBackendState?: string } = {},
): RcResponse {
  const targets: Record<string, unknown> = {};
  const targetFiles: RcResponse['target_files'] = [];
  const clientConfigs: string[] = [];
  for (const spec of files) {
    const path = rcFilePath(spec);
    const bytes = fileBytes(spec.content);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    targets[path] = {
      custom: { v: spec.version ?? 1 },
      hashes: { sha256: spec.meta?.sha256 ?? sha256 },
      length: spec.meta?.length ?? bytes.length,
    };
    clientConfigs.push(path);
    if (!options.cached?.some((c) => c.path === path && c.hash === (spec.meta?.sha256 ?? sha256))) {
      targetFiles.push({ path, raw: bytes.toString('base64') });
    }
  }
  const doc = {
    signed: {
      _type: 'targets',
      custom: { opaque_backend_state: options.opaqueBackendState ?? OPAQUE_BACKEND_STATE },
      expires: '3000-01-01T00:00:00Z',
      spec_version: '1.0.0',
      targets,
      version,
    },
    signatures: [{ keyid: 'fake', sig: 'fake' }],
  };
  return {
    targets: Buffer.from(JSON.stringify(doc)).toString('base64'),
    target_files: targetFiles,
    client_configs: clientConfigs,
  };
}

type Queued = { status: number; body: Buffer };

export class FakeAgent {
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  #server: http.Server;
  #options: FakeAgentOptions;
  #endpoints: readonly string[] | null;
  #port = 0;
  #faults: Array<{ fault: Fault; rule: FaultRule; left: number }> = [];
  #hanging = new Set<http.ServerResponse>();
  #rcVersion = 0;
  #rcFiles: RcFileSpec[] = [];
  #rcQueue: Queued[] = [];
  #rcClients = new Map<string, string>();
  #listeners = new Set<() => void>();
  #open = new Map<string, number>();

  private constructor(options: FakeAgentOptions) {
    this.#options = options;
    this.#endpoints =
      options.endpoints === undefined
        ? DEFAULT_AGENT_ENDPOINTS.filter((e) => options.remoteConfig !== false || e !== '/v0.7/config')
        : options.endpoints;
    this.#server = this.#createServer();
  }

  /** Starts listening on 127.0.0.1 with an ephemeral port (or on `socketPath`). */
  static async start(options: FakeAgentOptions = {}): Promise<FakeAgent> {
    const agent = new FakeAgent(options);
    await agent.#listen();
    return agent;
  }

  /** The base URL to configure as `agentUrl` (`http://127.0.0.1:<port>` or `unix://<path>`). */
  get url(): URL {
    return this.#options.socketPath ? new URL(`unix://${this.#options.socketPath}`) : new URL(`http://127.0.0.1:${this.#port}`);
  }

  get port(): number {
    return this.#port;
  }

  // ---- configuration -------------------------------------------------------------------------

  /** Changes what `/info` lists (`null`: `/info` answers 404). v2/input answers 404 when not listed. */
  setEndpoints(endpoints: readonly string[] | null): void {
    this.#endpoints = endpoints;
  }

  /** Applies `fault` to matching requests (all of them, or `rule.times`). Returns a remover. */
  injectFault(fault: Fault, rule: FaultRule = {}): () => void {
    const entry = { fault, rule, left: rule.times ?? Infinity };
    this.#faults.push(entry);
    return () => {
      this.#faults = this.#faults.filter((f) => f !== entry);
    };
  }

  clearFaults(): void {
    this.#faults = [];
  }

  /** Forgets the recorded requests (RC state and faults are kept). */
  clearRequests(): void {
    this.requests.length = 0;
  }

  // ---- remote config ---------------------------------------------------------------------------

  /** Serves exactly these files from now on (bumps the targets version). */
  setRcFiles(files: readonly RcFileSpec[]): void {
    this.#rcFiles = [...files];
    this.#rcVersion++;
  }

  /** Serves these probes as LIVE_DEBUGGING files (bumps the targets version). */
  setRcProbes(probes: ReadonlyArray<{ id: string; type: string } & Record<string, unknown>>): void {
    this.setRcFiles(probes.map((p) => ({ path: probePath(p), content: p })));
  }

  /** The current targets version (0 until files are set). */
  get rcTargetsVersion(): number {
    return this.#rcVersion;
  }

  /**
   * Answers the next `/v0.7/config` request with this body (objects are JSON-serialised, strings
   * and Buffers sent as they are), before any computed answer. Queued answers are used in order.
   */
  queueRcResponse(body: unknown, status = 200): void {
    this.#rcQueue.push({ status, body: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });
  }

  /** Parsed `/v0.7/config` request bodies, in order. */
  rcRequests(): Array<Record<string, any>> {
    return this.requestsTo('/v0.7/config')
      .map((r) => r.json)
      .filter((j): j is Record<string, any> => typeof j === 'object' && j !== null);
  }

  // ---- recorded traffic -------------------------------------------------------------------------

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Probe events delivered and accepted (JSON arrays on v2/input or on the v1/diagnostics fallback). */
  events(): Array<Record<string, any>> {
    return this.requests
      .filter((r) => isOk(r) && (r.path === '/debugger/v2/input' || (r.path === '/debugger/v1/diagnostics' && !r.parts)))
      .flatMap((r) => (Array.isArray(r.json) ? (r.json as Array<Record<string, any>>) : []));
  }

  /** Probe statuses delivered and accepted (multipart `event` parts on v1/diagnostics). */
  statuses(): Array<Record<string, any>> {
    return this.requests
      .filter((r) => isOk(r) && r.path === '/debugger/v1/diagnostics' && r.parts)
      .flatMap((r) => r.parts!.filter((p) => p.name === 'event').flatMap((p) => (Array.isArray(p.json) ? (p.json as Array<Record<string, any>>) : [])));
  }

  /**
   * Resolves with the first truthy value `predicate` returns, checking on every request and every
   * 10 ms; rejects after `timeoutMs` with `description` in the message.
   */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000, description = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        let value: T | undefined | null | false;
        try {
          value = predicate();
        } catch (err) {
          finish();
          reject(err as Error);
          return true;
        }
        if (value) {
          finish();
          resolve(value);
          return true;
        }
        return false;
      };
      const finish = (): void => {
        clearInterval(interval);
        clearTimeout(timeout);
        this.#listeners.delete(onRequest);
      };
      const onRequest = (): void => void check();
      const interval = setInterval(check, 10);
      const timeout = setTimeout(() => {
        finish();
        reject(new Error(`FakeAgent.waitFor: ${description} not met within ${timeoutMs} ms (${this.requests.length} requests recorded)`));
      }, timeoutMs);
      this.#listeners.add(onRequest);
      check();
    });
  }

  // ---- lifecycle -----------------------------------------------------------------------------------

  /** Stops accepting connections and drops the open ones (the agent "goes away"). */
  async down(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
    this.#server.closeAllConnections();
    await closed;
  }

  /** Listens again on the same port (or socket). */
  async up(): Promise<void> {
    if (this.#server.listening) return;
    this.#server = this.#createServer();
    await this.#listen();
  }

  async close(): Promise<void> {
    await this.down();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- internals -----------------------------------------------------------------------------------

  #createServer(): http.Server {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', () => {});
      req.on('end', () => this.#handle(req, res, Buffer.concat(chunks)));
    });
    server.keepAliveTimeout = 60_000;
    return server;
  }

  #listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      const done = (): void => {
        this.#server.off('error', reject);
        if (!this.#options.socketPath) this.#port = (this.#server.address() as AddressInfo).port;
        resolve();
      };
      if (this.#options.socketPath) this.#server.listen(this.#options.socketPath, done);
      else this.#server.listen(this.#port, '127.0.0.1', done);
    });
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake-agent');
    const record: RecordedRequest = {
      seq: this.requests.length,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: raw,
      status: undefined,
      concurrent: this.#open.get(url.pathname) ?? 0,
    };
    this.#open.set(record.path, record.concurrent + 1);
    res.on('close', () => this.#open.set(record.path, (this.#open.get(record.path) ?? 1) - 1));
    parseBody(record, raw);
    this.requests.push(record);

    const fault = this.#takeFault(record);
    if (fault) record.fault = fault.kind;
    const respond = (status: number, body: Buffer | string, contentType = 'application/json'): void => {
      record.status = status;
      res.writeHead(status, { 'Content-Type': contentType });
      res.end(body);
      for (const listener of [...this.#listeners]) listener();
    };
    const normal = (): void => {
      const [status, body] = this.#route(record);
      respond(status, body);
    };
    switch (fault?.kind) {
      case 'status':
        return respond(fault.status, fault.body ?? '');
      case 'garbage':
        return respond(200, '<html>\u0000not json', 'text/html');
      case 'reset':
        req.socket.destroy();
        break;
      case 'hang':
        this.#hanging.add(res);
        res.on('close', () => this.#hanging.delete(res));
        break;
      case 'slow': {
        this.#hanging.add(res);
        const timer = setTimeout(() => {
          this.#hanging.delete(res);
          if (!res.destroyed) normal();
        }, fault.delayMs);
        res.on('close', () => clearTimeout(timer));
        break;
      }
      default:
        normal();
        return;
    }
    for (const listener of [...this.#listeners]) listener();
  }

  #takeFault(record: RecordedRequest): Fault | undefined {
    for (const entry of this.#faults) {
      const { rule } = entry;
      if (entry.left <= 0) continue;
      if (rule.method && rule.method !== record.method) continue;
      if (typeof rule.path === 'string' && rule.path !== record.path) continue;
      if (rule.path instanceof RegExp && !rule.path.test(record.path)) continue;
      entry.left--;
      return entry.fault;
    }
    return undefined;
  }

  #route(record: RecordedRequest): [number, string | Buffer] {
    const endpoints = this.#endpoints;
    switch (record.path) {
      case '/info':
        if (endpoints === null) return [404, '404 page not found'];
        return [200, JSON.stringify({ version: '7.99.0-fake', endpoints, client_drop_p0s: true, config: {} })];
      case '/v0.7/config':
        return this.#answerRc(record);
      case '/debugger/v2/input':
        return endpoints?.includes('/debugger/v2/input') ? [202, '{}'] : [404, '404 page not found'];
      case '/debugger/v1/diagnostics':
      case '/debugger/v1/input':
      case '/symdb/v1/input':
        return [200, '{}'];
      default:
        return [404, '404 page not found'];
    }
  }

  #answerRc(record: RecordedRequest): [number, string | Buffer] {
    const queued = this.#rcQueue.shift();
    if (queued) return [queued.status, queued.body];
    if (this.#options.remoteConfig === false) return [404, '404 page not found'];
    const body = record.json as Record<string, any> | undefined;
    const client = body?.['client'];
    if (!client?.state || !client.id) return [500, 'invalid request: missing client or client.state'];
    if (this.#rcVersion === 0) return [200, '{}'];
    const products: string[] = Array.isArray(client.products) ? client.products : [];
    const productsKey = [...products].sort().join(',');
    const productsChanged = this.#rcClients.get(client.id) !== productsKey;
    this.#rcClients.set(client.id, productsKey);
    if (client.state.targets_version === this.#rcVersion && !productsChanged) return [200, '{}'];
    const files = this.#rcFiles.filter((f) => {
      const product = rcFilePath(f).split('/')[rcFilePath(f).startsWith('employee/') ? 1 : 2];
      return product !== undefined && products.includes(product);
    });
    const cached = Array.isArray(body?.['cached_target_files'])
      ? (body['cached_target_files'] as Array<{ path: string; hashes?: Array<{ hash: string }> }>).map((c) => ({
          path: c.path,
          hash: c.hashes?.[0]?.hash ?? '',
        }))
      : [];
    return [200, JSON.stringify(buildRcResponse(this.#rcVersion, files, { cached }))];
  }
}

function isOk(r: RecordedRequest): boolean {
  return r.status !== undefined && r.status >= 200 && r.status < 300;
}

function tryJson(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isGzip(data: Buffer): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

function parseBody(record: RecordedRequest, raw: Buffer): void {
  let body = raw;
  if (record.headers['content-encoding'] === 'gzip' && isGzip(raw)) {
    try {
      body = gunzipSync(raw);
    } catch {
      // Keep the raw bytes: the test will see what was sent.
    }
  }
  record.body = body;
  const contentType = record.headers['content-type'] ?? '';
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary) {
    record.parts = parseMultipart(body, boundary);
    return;
  }
  const json = tryJson(body);
  if (json !== undefined) record.json = json;
}

/** A strict-enough multipart parser that keeps each part's raw headers (system-tests validates them). */
export function parseMultipart(body: Buffer, boundary: string): RecordedPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: RecordedPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    pos += 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd === -1) break;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd);
    if (next === -1) break;
    const headers: Record<string, string> = {};
    for (const line of body.subarray(pos, headerEnd).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    const disposition = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-disposition')?.[1] ?? '';
    const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
    let data: Buffer = body.subarray(headerEnd + 4, next);
    const filename = /filename="([^"]*)"/.exec(disposition)?.[1];
    const gzipped = isGzip(data);
    if (gzipped) {
      try {
        data = gunzipSync(data);
      } catch {
        // Keep the raw bytes.
      }
    }
    const part: RecordedPart = { headers, name: /\bname="([^"]*)"/.exec(disposition)?.[1], filename, contentType, data: Buffer.from(data), gzipped };
    const json = tryJson(data);
    if (json !== undefined) part.json = json;
    parts.push(part);
    pos = next + 2;
  }
  return parts;
}
