/**
 * Snapshot capture: values from a paused frame → the Datadog value encoding, without running
 * application code; redaction; and pruning of oversized events. See README.md in this folder.
 */
export { CaptureContext, type CaptureOptions, type LargeObjectReport } from './context.js';
export { LARGE_OBJECT_KEYS, takeOverBudgetObject } from './large-objects.js';
export { pruneEvent, truncateMessage } from './prune.js';
export { NOT_CAPTURED, SCOPE_LIMIT_KEY } from './reasons.js';
export { BUILT_IN_REDACTED_IDENTIFIERS, normalizeIdentifier, Redaction, type RedactionSettings } from './redaction.js';
export { captureValue, captureVariables } from './serializer.js';
