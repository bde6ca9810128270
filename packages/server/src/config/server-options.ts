import { isIP } from 'node:net';
import { ServerError } from '../errors/index.js';
import type { DslCompiler } from '../probes/dsl-compiler.js';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../store/event-store.js';

/** How to run a server. Environment variables are read by the CLI, not here. */
export interface ServerOptions {
  /** Default 8126 (the Datadog agent's port); 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Any non-loopback address requires `adminToken` and `apiKey`. */
  host?: string;
  /** Where the database and signing key live. Default `./.periscope-data`. */
  dataDir?: string;
  /** Required as `Authorization: Bearer <token>` on `/api/v1/*` when set (and when exposed). */
  adminToken?: string;
  /** Required as the `DD-API-KEY` header on intake endpoints when set (and when exposed). */
  apiKey?: string;
  /** Largest accepted request body, in bytes (after gzip decoding for JSON bodies). Default 10 MiB. */
  bodyLimitBytes?: number;
  /** Largest accepted Symbol Database upload (compressed), in bytes. Default 64 MiB. */
  symbolUploadLimitBytes?: number;
  /** Largest size a gzipped symbol file may inflate to, in bytes. Default 256 MiB. */
  maxInflatedBytes?: number;
  retention?: Partial<RetentionPolicy>;
  /** DSL text → JSON AST. Undefined: use `@periscope/agent`'s parser when built; null: JSON AST only. */
  dslCompiler?: DslCompiler | null;
  /** Operator log lines (startup, client config errors, server faults). Default: silent. */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface ResolvedServerOptions {
  port: number;
  host: string;
  dataDir: string;
  adminToken: string | null;
  apiKey: string | null;
  bodyLimitBytes: number;
  symbolUploadLimitBytes: number;
  maxInflatedBytes: number;
  retention: RetentionPolicy;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export const DEFAULT_PORT = 8126;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = './.periscope-data';
const MIB = 1024 * 1024;

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new ServerError('PERISCOPE_ERR_BAD_REQUEST', `${name} must be a positive number, got ${value}`);
  return value;
}

/** Applies defaults and refuses an exposed server without credentials. */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  const host = options.host ?? DEFAULT_HOST;
  const adminToken = options.adminToken || null;
  const apiKey = options.apiKey || null;
  if (!isLoopback(host) && (!adminToken || !apiKey)) {
    throw new ServerError(
      'PERISCOPE_ERR_INSECURE_CONFIG',
      `refusing to listen on ${host} without credentials: a non-loopback address needs both an admin token ` +
        '(PERISCOPE_ADMIN_TOKEN or --admin-token) and an API key (PERISCOPE_API_KEY or --api-key); ' +
        `or bind to ${DEFAULT_HOST}`,
    );
  }
  return {
    port: options.port ?? DEFAULT_PORT,
    host,
    dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
    adminToken,
    apiKey,
    bodyLimitBytes: positive(options.bodyLimitBytes, 10 * MIB, 'bodyLimitBytes'),
    symbolUploadLimitBytes: positive(options.symbolUploadLimitBytes, 64 * MIB, 'symbolUploadLimitBytes'),
    maxInflatedBytes: positive(options.maxInflatedBytes, 256 * MIB, 'maxInflatedBytes'),
    retention: {
      maxAgeMs: positive(options.retention?.maxAgeMs, DEFAULT_RETENTION.maxAgeMs, 'retention.maxAgeMs'),
      maxEvents: positive(options.retention?.maxEvents, DEFAULT_RETENTION.maxEvents, 'retention.maxEvents'),
      instanceMaxAgeMs: positive(options.retention?.instanceMaxAgeMs, DEFAULT_RETENTION.instanceMaxAgeMs, 'retention.instanceMaxAgeMs'),
    },
    log: options.log ?? (() => {}),
  };
}
