/**
 * Compiled validators for the schemas in schemas.ts. ajv is loaded and one instance built on first
 * use, and each schema is compiled the first time its validator runs, so importing the package
 * costs nothing. Errors are short "path: message" strings, e.g. `where.lines[0]: must be a positive
 * integer, as a number or a string of digits`.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { DiagnosticItem, ProbeEvent } from './events.js';
import {
  diagnosticItemSchema,
  diagnosticsBatchSchema,
  probeEventBatchSchema,
  probeEventSchema,
  probeFileSchema,
  probeSchema,
  rcClientRequestSchema,
  rcResponseSchema,
  rcTargetsSchema,
  symdbAttachmentSchema,
  symdbEventSchema,
} from './schemas.js';
import type { ProbeJson, RcClientRequest, RcResponse, RcTargets, SymdbAttachmentJson, SymdbEventJson } from './wire.js';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** At most this many messages are returned; a broken snapshot can fail in thousands of places. */
const MAX_MESSAGES = 20;

const ALL_SCHEMAS = [
  probeSchema,
  probeFileSchema,
  probeEventSchema,
  probeEventBatchSchema,
  diagnosticItemSchema,
  diagnosticsBatchSchema,
  symdbEventSchema,
  symdbAttachmentSchema,
  rcClientRequestSchema,
  rcResponseSchema,
  rcTargetsSchema,
];

let ajv: Ajv | undefined;

function instance(): Ajv {
  if (ajv === undefined) {
    // verbose: errors carry their parent schema, which is where `x-error` texts live.
    // strictSchema catches unknown keywords (typos) in our schemas. The other strict checks
    // stay off: if/then branches name properties without repeating `type`/`properties`, and
    // `substring` takes 2 or 3 operands (a tuple with an optional last item).
    // Loaded on first use: ajv costs ~100 ms to load, and the agent imports this package into
    // every application at start-up for its types and parseProbe, never for validation.
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    const a = new AjvClass({ allErrors: true, verbose: true, strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false });
    a.addKeyword({ keyword: 'x-error', schemaType: 'string' });
    for (const s of ALL_SCHEMAS) a.addSchema(s);
    ajv = a;
  }
  return ajv;
}

/** JSON pointer → `a.b[0]["odd.key"]`; the root is `(root)`. */
function readablePath(pointer: string, extra?: string): string {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) {
    if (/^[0-9]+$/.test(p)) out += `[${p}]`;
    else if (/^[A-Za-z_$@][\w$@-]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out === '' ? '(root)' : out;
}

function messageOf(e: ErrorObject): string {
  const custom = (e.parentSchema as Record<string, unknown> | undefined)?.['x-error'];
  if (e.keyword !== 'required' && typeof custom === 'string') {
    return custom.replace('{propertyName}', e.propertyName ?? '');
  }
  switch (e.keyword) {
    case 'enum':
      return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'type':
      return `must be ${String((e.params as { type: unknown }).type).replace(/,/g, ' or ')}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** Turns ajv's errors into one line each, without the noise of alternatives that were tried. */
export function formatErrors(errors: readonly ErrorObject[]): string[] {
  // The branches of a failed anyOf/oneOf only say why each alternative did not fit; the
  // combinator's own message (from `x-error`) says what was expected.
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  const out: string[] = [];
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'propertyNames') continue;
    if (combinators.some((c) => e.schemaPath.startsWith(c))) continue;
    const path =
      e.keyword === 'required'
        ? readablePath(e.instancePath, (e.params as { missingProperty: string }).missingProperty)
        : e.keyword === 'additionalProperties'
          ? readablePath(e.instancePath, (e.params as { additionalProperty: string }).additionalProperty)
          : readablePath(e.instancePath);
    const message =
      e.keyword === 'required' ? 'is required' : e.keyword === 'additionalProperties' ? 'is not an allowed key' : messageOf(e);
    const line = `${path}: ${message}`;
    if (!out.includes(line)) out.push(line);
  }
  if (out.length > MAX_MESSAGES) {
    const more = out.length - MAX_MESSAGES;
    out.length = MAX_MESSAGES;
    out.push(`… and ${more} more`);
  }
  return out;
}

function validator<T>(schema: Record<string, unknown>): (input: unknown) => ValidationResult<T> {
  let compiled: ValidateFunction | undefined;
  return (input) => {
    compiled ??= instance().getSchema(schema['$id'] as string)!;
    if (compiled(input)) return { ok: true, value: input as T };
    return { ok: false, errors: formatErrors(compiled.errors ?? []) };
  };
}

/**
 * One probe definition (RC `LIVE_DEBUGGING` file content or one probe-file element), including
 * the expression ASTs in `when`, `segments`, `captureExpressions`, `value` and decorations.
 */
export const validateProbe = validator<ProbeJson>(probeSchema);
/** The `DD_DYNAMIC_INSTRUMENTATION_PROBE_FILE` content: an array of probes. */
export const validateProbeFile = validator<ProbeJson[]>(probeFileSchema);
/**
 * One snapshot or log event. Fields the reference marks as sent only by some tracers (hostname,
 * timestamp, logger) are optional here, though the `ProbeEvent` type declares them.
 */
export const validateProbeEvent = validator<ProbeEvent>(probeEventSchema);
/** A `/debugger/v2/input` body: an array of events. */
export const validateProbeEventBatch = validator<ProbeEvent[]>(probeEventBatchSchema);
/** One item of the diagnostics `event.json` part. */
export const validateDiagnosticItem = validator<DiagnosticItem>(diagnosticItemSchema);
/** The diagnostics `event.json` part: an array of items. */
export const validateDiagnosticsBatch = validator<DiagnosticItem[]>(diagnosticsBatchSchema);
/** The `event` part of a `/symdb/v1/input` upload. */
export const validateSymdbEvent = validator<SymdbEventJson>(symdbEventSchema);
/** The gunzipped `file` part of a `/symdb/v1/input` upload. */
export const validateSymdbAttachment = validator<SymdbAttachmentJson>(symdbAttachmentSchema);
/** A `/v0.7/config` request body. */
export const validateRcClientRequest = validator<RcClientRequest>(rcClientRequestSchema);
/** A `/v0.7/config` response body. */
export const validateRcResponse = validator<RcResponse>(rcResponseSchema);
/** The base64-decoded `targets` document of a response. */
export const validateRcTargets = validator<RcTargets>(rcTargetsSchema);
