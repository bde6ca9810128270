/**
 * `notCapturedReason` values the serializer emits. The first six are the reference's
 * (shared/reference/snapshots.md §4); the rest are Periscope's for what cannot be read in-process
 * without running application code. README.md in this folder explains each.
 */
export const NOT_CAPTURED = {
  depth: 'depth',
  collectionSize: 'collectionSize',
  fieldCount: 'fieldCount',
  redactedIdent: 'redactedIdent',
  redactedType: 'redactedType',
  timeout: 'timeout',
  /** A Proxy: its target and handler are only reachable through traps. */
  proxy: 'proxy',
  /** Promise state and result, WeakMap/WeakSet contents: engine-internal, not readable in-process. */
  internalState: 'internalState',
  /** Reading it would run application code (an unformatted `stack` with a user `Error.prepareStackTrace`). */
  userCode: 'userCode',
  /** The object is already being expanded higher up on the same path. */
  circular: 'circular',
  /** A bigint so large that printing it would be slow. */
  tooLarge: 'tooLarge',
  /** The engine threw while reading it (e.g. a module binding still in its temporal dead zone). */
  error: 'error',
} as const;

/** Key under which {@link captureVariables} reports variables left out by `maxFieldCount`. */
export const SCOPE_LIMIT_KEY = '@scope';
