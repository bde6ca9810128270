/**
 * Types of the raw wire payloads that have no richer model elsewhere in this package: the probe
 * JSON before parsing, the Symbol Database parts and the Remote Config exchange. They describe
 * what the schemas in schemas.ts accept; unknown keys are allowed where the schemas allow them.
 */
import type { ProbeType } from './probe.js';

/** A probe definition as received (probes.md); {@link parseProbe} turns it into a `Probe`. */
export interface ProbeJson {
  id: string;
  version?: number;
  type: ProbeType;
  language?: unknown;
  where: {
    sourceFile?: string | null;
    typeName?: string | null;
    methodName?: string;
    lines?: Array<string | number>;
    [key: string]: unknown;
  };
  tags?: string[] | null;
  when?: { dsl?: string; json: unknown } | null;
  evaluateAt?: 'ENTRY' | 'EXIT' | 'DEFAULT' | null;
  [key: string]: unknown;
}

export interface SymdbLineRange {
  start: number;
  end: number;
}

export interface SymdbSymbolJson {
  symbol_type: 'ARG' | 'LOCAL' | 'FIELD' | 'STATIC_FIELD';
  name: string;
  line: number;
  type: string | null;
  language_specifics?: Record<string, unknown> | null;
}

export interface SymdbScopeJson {
  scope_type: 'FILE' | 'MODULE' | 'JAR' | 'PACKAGE' | 'ASSEMBLY' | 'CLASS' | 'METHOD' | 'FUNCTION' | 'CLOSURE' | 'LOCAL';
  name?: string | null;
  source_file?: string;
  start_line: number;
  end_line: number;
  language_specifics?: Record<string, unknown> | null;
  symbols?: SymdbSymbolJson[] | null;
  scopes?: SymdbScopeJson[] | null;
  has_injectible_lines?: boolean;
  injectible_lines?: SymdbLineRange[];
}

/** The `event` part of `/symdb/v1/input`. */
export interface SymdbEventJson {
  ddsource: string;
  service: string;
  runtimeId: string;
  version?: string;
  language?: string;
  parentId?: string | null;
  type?: 'symdb';
  uploadId?: string;
  batchNum?: number;
  final?: boolean;
  attachmentSize?: number;
}

/** The gunzipped `file` part of `/symdb/v1/input`. */
export interface SymdbAttachmentJson {
  service: string;
  env: string;
  version: string;
  language: string;
  upload_id?: string;
  batch_num?: number;
  final?: boolean;
  scopes: SymdbScopeJson[];
}

export interface RcConfigState {
  id: string;
  version: number;
  product: string;
  apply_state?: 0 | 1 | 2 | 3;
  apply_error?: string;
}

export interface RcCachedTargetFile {
  path: string;
  length: number;
  hashes: Array<{ algorithm: string; hash: string }>;
}

/** The body a client posts to `/v0.7/config` (remote-config.md §2). */
export interface RcClientRequest {
  client: {
    id: string;
    products: string[];
    is_tracer: boolean;
    capabilities: string;
    client_tracer?: {
      runtime_id: string;
      language: string;
      tracer_version: string;
      service: string;
      env?: string;
      app_version?: string;
      tags?: string[];
      extra_services?: string[];
      process_tags?: string[];
    };
    state: {
      root_version: number;
      targets_version: number;
      config_states?: RcConfigState[] | null;
      has_error?: boolean;
      error?: string;
      backend_client_state?: string;
    };
    [key: string]: unknown;
  };
  cached_target_files?: RcCachedTargetFile[] | null;
}

/** The `/v0.7/config` answer; `{}` means "no change" (remote-config.md §3). */
export interface RcResponse {
  roots?: string[];
  targets?: string;
  target_files?: Array<{ path: string; raw: string }>;
  client_configs?: string[];
}

/** The decoded `targets` of an {@link RcResponse} (remote-config.md §3.1). */
export interface RcTargets {
  signatures?: Array<{ keyid: string; sig: string }>;
  signed: {
    _type: 'targets';
    spec_version: '1.0' | '1.0.0';
    version: number;
    expires?: string;
    custom?: { opaque_backend_state?: string; agent_refresh_interval?: number };
    targets: Record<string, { length: number; hashes: { sha256: string }; custom?: { v?: number } }>;
  };
}
