/**
 * How the engine plugs into Remote Config: one {@link ProductHandler} per product. The client
 * calls it with deletes first, then inserts, then updates (dd-trace-js and Ruby order). A handler
 * that throws (or rejects) gets its file reported as `apply_state` ERROR with the message; the
 * other files are unaffected.
 */

/** `config_states[].apply_state` (shared/reference/remote-config.md §2.4). */
export const ApplyState = Object.freeze({
  UNKNOWN: 0,
  UNACKNOWLEDGED: 1,
  ACKNOWLEDGED: 2,
  ERROR: 3,
});
export type ApplyStateValue = (typeof ApplyState)[keyof typeof ApplyState];

/** The product names Periscope uses. */
export const Product = Object.freeze({
  LIVE_DEBUGGING: 'LIVE_DEBUGGING',
  LIVE_DEBUGGING_SYMBOL_DB: 'LIVE_DEBUGGING_SYMBOL_DB',
  APM_TRACING: 'APM_TRACING',
});

/** One config file as the targets document describes it. */
export interface RemoteConfigFile {
  path: string;
  product: string;
  /** The `<config_id>` path segment. */
  id: string;
  /** `custom.v` from the targets document. */
  version: number;
  sha256: string;
  length: number;
}

export interface ProductHandler {
  /** A new config. `content` is the file parsed as JSON. */
  onInsert(file: RemoteConfigFile, content: unknown): void | Promise<void>;
  /** A config whose bytes changed. Defaults to `onInsert`. */
  onUpdate?(file: RemoteConfigFile, content: unknown): void | Promise<void>;
  /** A config that no longer applies. Only called for configs the handler accepted. */
  onDelete(file: RemoteConfigFile): void | Promise<void>;
}

export interface ProductRegistration {
  /** Capability bits this product's handler honours (see `Capability`). */
  capabilities?: readonly number[];
}

/** `client.state.config_states[]` as sent. */
export interface ConfigState {
  id: string;
  version: number;
  product: string;
  apply_state: ApplyStateValue;
  apply_error: string;
}

/** `cached_target_files[]` as sent. */
export interface CachedTargetFile {
  path: string;
  length: number;
  hashes: Array<{ algorithm: 'sha256'; hash: string }>;
}
