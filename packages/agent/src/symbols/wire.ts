/**
 * The Symbol Database wire shapes (shared/reference/symbol-database.md §3): root scopes with
 * nested scopes and symbols, uploaded as gzipped JSON to `/symdb/v1/input`.
 */

/** Line sentinel: "every line of the enclosing scope" / unknown start (§3.3). */
export const UNKNOWN_MIN_LINE = 0;
/** Line sentinel: the whole file / unknown end (Postgres INT_MAX, §3.3). */
export const UNKNOWN_MAX_LINE = 2147483647;

/** Attachment and event `language`; matches the DI snapshot `language`. */
export const SYMDB_LANGUAGE = 'javascript';

export type ScopeType = 'MODULE' | 'CLASS' | 'METHOD' | 'FUNCTION' | 'CLOSURE' | 'LOCAL';
export type SymbolType = 'ARG' | 'LOCAL' | 'FIELD' | 'STATIC_FIELD';

/** Inclusive 1-based line range where a line probe can be installed. */
export interface LineRange {
  start: number;
  end: number;
}

export interface SymdbSymbol {
  symbol_type: SymbolType;
  name: string;
  line: number;
  /** TypeScript annotation text when known; the key is always present. */
  type: string | null;
}

export interface SymdbScope {
  scope_type: ScopeType;
  name: string;
  source_file: string;
  start_line: number;
  end_line: number;
  language_specifics?: Record<string, unknown>;
  symbols: SymdbSymbol[];
  scopes: SymdbScope[];
  has_injectible_lines: boolean;
  injectible_lines: LineRange[];
}

/** The JSON inside the gzipped `file` part. */
export interface SymdbAttachment {
  service: string;
  env: string;
  version: string;
  language: string;
  upload_id: string;
  batch_num: number;
  final: boolean;
  scopes: SymdbScope[];
}

/** The `event` part. */
export interface SymdbEvent {
  ddsource: string;
  service: string;
  version: string;
  language: string;
  runtimeId: string;
  parentId: string | null;
  type: 'symdb';
  uploadId: string;
  batchNum: number;
  final: boolean;
  attachmentSize: number;
}
