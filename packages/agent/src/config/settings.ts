/**
 * Agent settings: programmatic options override `DD_*` environment variables, which override
 * defaults (shared/reference/settings.md). An invalid value produces one warning and the default,
 * never an exception.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { GLOBAL_SNAPSHOT_RATE } from '@periscope/protocol';

export interface AgentOptions {
  service?: string;
  env?: string;
  version?: string;
  tags?: Record<string, string>;
  /** Full agent URL (`http://…`, `unix://…`). */
  agentUrl?: string;
  dynamicInstrumentationEnabled?: boolean;
  remoteConfigEnabled?: boolean;
  remoteConfigPollIntervalSeconds?: number;
  probeFile?: string;
  uploadIntervalSeconds?: number;
  captureTimeoutMs?: number;
  evaluationTimeoutMs?: number;
  redactedIdentifiers?: string[];
  redactionExcludedIdentifiers?: string[];
  redactedTypes?: string[];
  diagnosticsIntervalSeconds?: number;
  /** Symbol Database: undefined follows dynamic instrumentation. */
  symbolDatabaseUploadEnabled?: boolean;
  symbolDatabaseForceUpload?: boolean;
  symbolDatabaseIncludes?: string[];
  symbolDatabaseHotLoad?: boolean;
  /**
   * Where symbol extraction runs: a child process at the lowest CPU priority (default) or a worker
   * thread. On few cores a worker thread's parsing and V8's GC threads for its heap take CPU from
   * the application's thread; a low-priority process yields it.
   */
  symbolDatabaseIsolation?: 'process' | 'thread';
  /** Write events and statuses as JSON lines to this file (`-` = stdout). */
  outputFile?: string;
  /** The application root for relative paths; defaults to the process's cwd. */
  appRoot?: string;
  /** Global cap on snapshot-producing hits per second (25 in the protocol; raised only for benchmarks). */
  globalSnapshotsPerSecond?: number;
  /**
   * Share of one core a probe location may cost over 10 s before its probes are disabled with an
   * ERROR status (the circuit breaker); 0 turns it off. Default 20 (%).
   */
  probeCpuBudgetPercent?: number;
}

export interface AgentConfig {
  service: string;
  env: string | undefined;
  version: string | undefined;
  tags: Record<string, string>;
  runtimeId: string;
  hostname: string;
  agentUrl: URL;
  dynamicInstrumentationEnabled: boolean;
  /** True when DD_DYNAMIC_INSTRUMENTATION_ENABLED was explicitly false: blocks remote enablement. */
  dynamicInstrumentationExplicitlyDisabled: boolean;
  remoteConfigEnabled: boolean;
  remoteConfigPollIntervalSeconds: number;
  probeFile: string | undefined;
  uploadIntervalSeconds: number;
  captureTimeoutMs: number;
  evaluationTimeoutMs: number;
  redactedIdentifiers: string[];
  redactionExcludedIdentifiers: string[];
  redactedTypes: string[];
  diagnosticsIntervalSeconds: number;
  symbolDatabaseUploadEnabled: boolean | undefined;
  symbolDatabaseForceUpload: boolean;
  symbolDatabaseIncludes: string[];
  symbolDatabaseHotLoad: boolean;
  symbolDatabaseIsolation: 'process' | 'thread';
  gitCommitSha: string | undefined;
  gitRepositoryUrl: string | undefined;
  outputFile: string | undefined;
  appRoot: string;
  debug: boolean;
  globalSnapshotsPerSecond: number;
  probeCpuBudgetPercent: number;
}

type Env = Record<string, string | undefined>;
type Warn = (message: string) => void;

function first(env: Env, names: string[]): [string, string] | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v.trim() !== '') return [n, v.trim()];
  }
  return undefined;
}

function parseBool(env: Env, names: string[], warn: Warn): boolean | undefined {
  const hit = first(env, names);
  if (!hit) return undefined;
  const v = hit[1].toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  warn(`${hit[0]}=${JSON.stringify(hit[1])} is not a boolean (true/false); using the default`);
  return undefined;
}

function parseIsolation(env: Env, warn: Warn): 'process' | 'thread' | undefined {
  const hit = first(env, ['PERISCOPE_SYMBOL_DATABASE_ISOLATION']);
  if (!hit) return undefined;
  const v = hit[1].toLowerCase();
  if (v === 'process' || v === 'thread') return v;
  warn(`${hit[0]}=${JSON.stringify(hit[1])} is not "process" or "thread"; using the default`);
  return undefined;
}

function parseNumber(env: Env, names: string[], warn: Warn, opts: { min: number }): number | undefined {
  const hit = first(env, names);
  if (!hit) return undefined;
  const n = Number(hit[1]);
  if (!Number.isFinite(n) || n < opts.min) {
    warn(`${hit[0]}=${JSON.stringify(hit[1])} is not a number >= ${opts.min}; using the default`);
    return undefined;
  }
  return n;
}

function parseList(env: Env, name: string): string[] | undefined {
  const v = env[name];
  if (v === undefined || v.trim() === '') return undefined;
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** `DD_TAGS`: `k:v` pairs separated by commas, or by whitespace when there is no comma. */
export function parseTags(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  const parts = raw.includes(',') ? raw.split(',') : raw.split(/\s+/);
  for (const part of parts) {
    const p = part.trim();
    if (!p) continue;
    const i = p.indexOf(':');
    if (i <= 0) continue;
    out[p.slice(0, i).trim()] = p.slice(i + 1).trim();
  }
  return out;
}

function readPackageJson(appRoot: string): { name?: string; version?: string } {
  try {
    const pkg = JSON.parse(readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as unknown;
    if (typeof pkg === 'object' && pkg !== null) {
      const p = pkg as Record<string, unknown>;
      return {
        ...(typeof p['name'] === 'string' ? { name: p['name'] } : {}),
        ...(typeof p['version'] === 'string' ? { version: p['version'] } : {}),
      };
    }
  } catch {
    // No package.json: fall back to defaults.
  }
  return {};
}

/** Strips `user:password@` from a repository URL so credentials never leave the process. */
export function stripCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

/** Where the Datadog Agent listens when it is installed with its default Unix socket. */
export const DEFAULT_AGENT_SOCKET = '/var/run/datadog/apm.socket';

function resolveAgentUrl(env: Env, options: AgentOptions, warn: Warn, socketPath: string): URL {
  const raw = options.agentUrl ?? first(env, ['DD_TRACE_AGENT_URL', 'DD_TRACE_URL'])?.[1];
  if (raw !== undefined) {
    const url = URL.canParse(raw) ? new URL(raw) : undefined;
    // `localhost:8126` parses as a URL with the scheme `localhost:`: not one we can talk to.
    if (url && AGENT_URL_SCHEMES.has(url.protocol)) return url;
    warn(`Agent URL ${JSON.stringify(raw)} is not an http://, https:// or unix:// URL; using the host and port`);
  }
  const host = first(env, ['DD_AGENT_HOST', 'DD_TRACE_AGENT_HOSTNAME'])?.[1];
  let port = parseNumber(env, ['DD_TRACE_AGENT_PORT'], warn, { min: 1 });
  if (port !== undefined && (!Number.isInteger(port) || port > 65535)) {
    warn(`DD_TRACE_AGENT_PORT=${JSON.stringify(env['DD_TRACE_AGENT_PORT'])} is not a TCP port (1-65535); using the default`);
    port = undefined;
  }
  if (host !== undefined && !URL.canParse(`http://${bracketed(host)}:8126`)) {
    warn(`DD_AGENT_HOST=${JSON.stringify(host)} is not a host name or address; using the default`);
    return new URL(`http://127.0.0.1:${port ?? 8126}`);
  }
  if (host === undefined && port === undefined && process.platform !== 'win32' && isSocket(socketPath)) {
    return new URL(`unix://${socketPath}`);
  }
  return new URL(`http://${bracketed(host ?? '127.0.0.1')}:${port ?? 8126}`);
}

const AGENT_URL_SCHEMES = new Set(['http:', 'https:', 'unix:']);

/** IPv6 addresses go in brackets in a URL. */
function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** A stat, not an open: opening a Unix socket as a file fails (ENXIO) even when it exists. */
function isSocket(p: string): boolean {
  try {
    return statSync(p).isSocket();
  } catch {
    return false;
  }
}

/** Machine facts tests can replace. */
export interface ConfigProbes {
  /** The agent socket to auto-detect; default {@link DEFAULT_AGENT_SOCKET}. */
  agentSocketPath?: string;
}

/** Builds the effective configuration. Warnings go to `warn` (once per bad value). */
export function loadConfig(options: AgentOptions = {}, env: Env = process.env, warn: Warn = () => {}, probes: ConfigProbes = {}): AgentConfig {
  const appRoot = path.resolve(options.appRoot ?? process.cwd());
  const tags = { ...parseTags(env['DD_TAGS']), ...(options.tags ?? {}) };
  const pkg = readPackageJson(appRoot);
  const service =
    options.service ?? first(env, ['DD_SERVICE', 'DD_SERVICE_NAME', 'OTEL_SERVICE_NAME'])?.[1] ?? tags['service'] ?? normaliseServiceName(pkg.name) ?? 'node';
  const diEnv = parseBool(env, ['DD_DYNAMIC_INSTRUMENTATION_ENABLED'], warn);
  const gitEnabled = parseBool(env, ['DD_TRACE_GIT_METADATA_ENABLED'], warn) ?? true;
  const gitRepo = gitEnabled ? (env['DD_GIT_REPOSITORY_URL'] ?? tags['git.repository_url']) : undefined;
  return {
    service,
    env: options.env ?? env['DD_ENV'] ?? tags['env'],
    version: options.version ?? env['DD_VERSION'] ?? tags['version'] ?? pkg.version,
    tags,
    runtimeId: randomUUID(),
    hostname: hostname(),
    agentUrl: resolveAgentUrl(env, options, warn, probes.agentSocketPath ?? DEFAULT_AGENT_SOCKET),
    // Preloading Periscope is the request for dynamic instrumentation: on unless explicitly off.
    dynamicInstrumentationEnabled: options.dynamicInstrumentationEnabled ?? diEnv ?? true,
    dynamicInstrumentationExplicitlyDisabled: options.dynamicInstrumentationEnabled === false || diEnv === false,
    remoteConfigEnabled:
      options.remoteConfigEnabled ?? parseBool(env, ['DD_REMOTE_CONFIGURATION_ENABLED', 'DD_REMOTE_CONFIG_ENABLED'], warn) ?? true,
    remoteConfigPollIntervalSeconds:
      options.remoteConfigPollIntervalSeconds ?? parseNumber(env, ['DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS'], warn, { min: 0.01 }) ?? 5,
    probeFile: options.probeFile ?? first(env, ['DD_DYNAMIC_INSTRUMENTATION_PROBE_FILE'])?.[1],
    uploadIntervalSeconds:
      options.uploadIntervalSeconds ?? parseNumber(env, ['DD_DYNAMIC_INSTRUMENTATION_UPLOAD_INTERVAL_SECONDS'], warn, { min: 0.01 }) ?? 1,
    captureTimeoutMs:
      options.captureTimeoutMs ?? parseNumber(env, ['DD_DYNAMIC_INSTRUMENTATION_CAPTURE_TIMEOUT_MS'], warn, { min: 1 }) ?? 15,
    evaluationTimeoutMs:
      options.evaluationTimeoutMs ?? parseNumber(env, ['DD_DYNAMIC_INSTRUMENTATION_EVALUATION_TIMEOUT_MS'], warn, { min: 1 }) ?? 50,
    redactedIdentifiers: options.redactedIdentifiers ?? parseList(env, 'DD_DYNAMIC_INSTRUMENTATION_REDACTED_IDENTIFIERS') ?? [],
    redactionExcludedIdentifiers:
      options.redactionExcludedIdentifiers ?? parseList(env, 'DD_DYNAMIC_INSTRUMENTATION_REDACTION_EXCLUDED_IDENTIFIERS') ?? [],
    redactedTypes: options.redactedTypes ?? parseList(env, 'DD_DYNAMIC_INSTRUMENTATION_REDACTED_TYPES') ?? [],
    diagnosticsIntervalSeconds:
      options.diagnosticsIntervalSeconds ?? parseNumber(env, ['DD_DYNAMIC_INSTRUMENTATION_DIAGNOSTICS_INTERVAL'], warn, { min: 1 }) ?? 3600,
    symbolDatabaseUploadEnabled: options.symbolDatabaseUploadEnabled ?? parseBool(env, ['DD_SYMBOL_DATABASE_UPLOAD_ENABLED'], warn),
    symbolDatabaseForceUpload:
      options.symbolDatabaseForceUpload ??
      parseBool(env, ['DD_INTERNAL_FORCE_SYMBOL_DATABASE_UPLOAD', '_DD_SYMBOL_DATABASE_FORCE_UPLOAD'], warn) ??
      false,
    symbolDatabaseIncludes: options.symbolDatabaseIncludes ?? parseList(env, 'DD_SYMBOL_DATABASE_INCLUDES') ?? [],
    symbolDatabaseHotLoad: options.symbolDatabaseHotLoad ?? parseBool(env, ['PERISCOPE_SYMBOL_DATABASE_HOT_LOAD'], warn) ?? true,
    symbolDatabaseIsolation: options.symbolDatabaseIsolation ?? parseIsolation(env, warn) ?? 'process',
    gitCommitSha: gitEnabled ? (env['DD_GIT_COMMIT_SHA'] ?? tags['git.commit.sha']) : undefined,
    gitRepositoryUrl: gitRepo !== undefined ? stripCredentials(gitRepo) : undefined,
    outputFile: options.outputFile ?? first(env, ['PERISCOPE_OUTPUT_FILE'])?.[1],
    appRoot,
    debug: parseBool(env, ['DD_TRACE_DEBUG', 'PERISCOPE_DEBUG'], warn) ?? false,
    globalSnapshotsPerSecond:
      options.globalSnapshotsPerSecond ?? parseNumber(env, ['PERISCOPE_GLOBAL_SNAPSHOTS_PER_SECOND'], warn, { min: 1 }) ?? GLOBAL_SNAPSHOT_RATE,
    probeCpuBudgetPercent: options.probeCpuBudgetPercent ?? parseNumber(env, ['PERISCOPE_PROBE_CPU_BUDGET_PERCENT'], warn, { min: 0 }) ?? 20,
  };
}

/** package.json names like `@acme/checkout` become `acme-checkout`, as the tracers do. */
function normaliseServiceName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  return name.replace(/^@/, '').replace(/\//g, '-');
}
