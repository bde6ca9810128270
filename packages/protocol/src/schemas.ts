/**
 * JSON Schemas (draft-07, as compiled by ajv's default `Ajv` class) for the wire formats in
 * shared/reference/. They are plain objects so they ship in `dist` without a copy step and can be
 * reused (e.g. by fastify route schemas).
 *
 * Conventions:
 * - Unknown keys are allowed wherever the reference says tracers must ignore them (probes.md §7,
 *   and every object another tracer may extend). Captured values are the one closed shape: the
 *   encoding table in snapshots.md §4 lists every key.
 * - `x-error` is an annotation read by the validator's error formatter: when a keyword of that
 *   schema fails, the text replaces ajv's generic message (`{propertyName}` is substituted).
 * - Where conformance/system-tests-probes/schemas/ describes the same payload, these schemas
 *   accept everything it requires and add only what the reference states; each deviation is noted.
 */

type Schema = Record<string, unknown>;

const MAX_LINE = 2147483647;

// ---------------------------------------------------------------------------------------------
// Expressions (expression-language.md §1). The operand shapes mirror the agent's operator
// catalogue (packages/agent/src/expression/operators.ts), so that a probe the schema accepts is
// one the agent's compiler can compile, apart from identifier rules (reserved words) and
// `@it`/`@return` scoping, which need context a schema does not have.
// ---------------------------------------------------------------------------------------------

const node = { $ref: '#/definitions/exprNode' };
const pair = (second: Schema): Schema => ({
  type: 'array',
  items: [node, second],
  minItems: 2,
  additionalItems: false,
  'x-error': 'must be an array of 2 operands',
});

/** Operator → operand schema. */
export const EXPRESSION_OPERATORS: Readonly<Record<string, Schema>> = Object.freeze({
  ref: { type: 'string', minLength: 1, 'x-error': 'must be a non-empty variable name string' },
  getmember: pair({ type: 'string', 'x-error': 'must be a literal property name string' }),
  index: pair(node),
  len: node,
  count: node,
  isEmpty: node,
  isDefined: node,
  isUndefined: node,
  not: node,
  any: pair(node),
  all: pair(node),
  filter: pair(node),
  startsWith: pair(node),
  endsWith: pair(node),
  contains: pair(node),
  matches: pair(node),
  eq: pair(node),
  ne: pair(node),
  lt: pair(node),
  le: pair(node),
  gt: pair(node),
  ge: pair(node),
  and: { type: 'array', items: node, minItems: 1, 'x-error': 'must be an array of at least 1 operand' },
  or: { type: 'array', items: node, minItems: 1, 'x-error': 'must be an array of at least 1 operand' },
  instanceof: pair({ type: 'string', minLength: 1, 'x-error': 'must be a type name string' }),
  substring: {
    type: 'array',
    items: [node, node, node],
    minItems: 2,
    additionalItems: false,
    'x-error': 'must be an array of 2 or 3 operands',
  },
});

const expressionDefinitions: Schema = {
  exprNode: {
    // A literal, or an object with exactly one key, the operator. JSON arrays are only operand lists.
    if: { type: 'object' },
    then: {
      minProperties: 1,
      maxProperties: 1,
      'x-error': 'an operator node must have exactly one key',
      propertyNames: { enum: Object.keys(EXPRESSION_OPERATORS), 'x-error': 'unknown operator "{propertyName}"' },
      properties: EXPRESSION_OPERATORS,
    },
    else: {
      type: ['string', 'number', 'boolean', 'null'],
      'x-error': 'must be a literal (string, number, boolean, null) or an operator object; arrays are not valid here',
    },
  },
  /** `{"dsl": "<display text>", "json": <AST>}`; `dsl` may be "" (probes.md intro). */
  expression: {
    type: 'object',
    required: ['json'],
    properties: { dsl: { type: 'string' }, json: node },
  },
  // if/else rather than oneOf, so that an error inside the expression is reported as itself.
  optExpression: {
    if: { type: 'null' },
    else: { $ref: '#/definitions/expression' },
  },
};

// ---------------------------------------------------------------------------------------------
// Probe definitions (probes.md)
// ---------------------------------------------------------------------------------------------

const captureLimit = { type: ['integer', 'null'], minimum: 0, 'x-error': 'must be a non-negative integer' };

/** Line numbers arrive as strings (`["20"]`) or integers (`[82]`); both must be positive (probes.md §2.1, §7). */
const lineNumber = {
  type: ['integer', 'string'],
  minimum: 1,
  pattern: '^\\s*0*[1-9][0-9]*\\s*$',
  'x-error': 'must be a positive integer, as a number or a string of digits',
};

const segment = {
  type: 'object',
  if: { type: 'object', required: ['str'] },
  then: { properties: { str: { type: 'string' } } },
  else: {
    required: ['json'],
    properties: { dsl: { type: 'string' }, json: node },
    'x-error': 'a segment needs "str" (literal) or "json" (expression)',
  },
};

const segments = {
  type: ['array', 'null'],
  items: { $ref: '#/definitions/segment' },
};

const probeDefinitions: Schema = {
  ...expressionDefinitions,
  segment,
  captureLimits: {
    type: ['object', 'null'],
    properties: {
      maxReferenceDepth: captureLimit,
      maxCollectionSize: captureLimit,
      maxFieldCount: captureLimit,
      maxLength: captureLimit,
    },
  },
  where: {
    type: 'object',
    properties: {
      sourceFile: { type: ['string', 'null'] },
      typeName: { type: ['string', 'null'] },
      methodName: { type: 'string' },
      // Python's aliases for typeName/methodName (probes.md §2.2).
      type: { type: ['string', 'null'] },
      method: { type: 'string' },
      signature: { type: ['string', 'null'] },
      lines: { type: 'array', items: lineNumber },
    },
    // A non-empty `lines` makes a line probe; otherwise a method name is needed.
    if: { type: 'object', required: ['lines'], properties: { lines: { type: 'array', minItems: 1 } } },
    then: {
      required: ['sourceFile'],
      properties: { sourceFile: { type: 'string', minLength: 1, 'x-error': 'a line probe needs a non-empty sourceFile' } },
    },
    else: {
      anyOf: [{ required: ['methodName'] }, { required: ['method'] }],
      'x-error': 'a location needs "lines" (line probe) or "methodName" (method probe)',
    },
  },
  logProbe: {
    properties: {
      template: { type: ['string', 'null'] },
      segments,
      captureSnapshot: { type: 'boolean' },
      capture: { $ref: '#/definitions/captureLimits' },
      captureExpressions: {
        type: ['array', 'null'],
        items: {
          type: 'object',
          required: ['name', 'expr'],
          properties: {
            name: { type: 'string', minLength: 1 },
            expr: { $ref: '#/definitions/expression' },
            capture: { $ref: '#/definitions/captureLimits' },
          },
        },
      },
      sampling: {
        type: ['object', 'null'],
        properties: {
          // 0 makes dd-trace-js fail to install; Periscope rejects it (probes.md §3).
          snapshotsPerSecond: { type: ['number', 'null'], exclusiveMinimum: 0, 'x-error': 'must be a positive number' },
        },
      },
    },
    // dd-trace-js rejects the contradiction; parseProbe does too (probes.md §3.1).
    if: {
      type: 'object',
      required: ['captureSnapshot', 'captureExpressions'],
      properties: { captureSnapshot: { const: true }, captureExpressions: { type: 'array', minItems: 1 } },
    },
    then: { not: {}, 'x-error': 'Cannot set both captureSnapshot and captureExpressions' },
  },
  metricProbe: {
    required: ['kind', 'metricName'],
    properties: {
      kind: { enum: ['COUNT', 'GAUGE', 'HISTOGRAM', 'DISTRIBUTION'] },
      metricName: { type: 'string', minLength: 1 },
      value: { $ref: '#/definitions/optExpression' },
    },
  },
  spanDecorationProbe: {
    properties: {
      targetSpan: { enum: ['ACTIVE', 'ROOT'] },
      decorations: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            when: { $ref: '#/definitions/optExpression' },
            tags: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name'],
                properties: {
                  name: { type: 'string', minLength: 1 },
                  value: {
                    type: 'object',
                    properties: { template: { type: ['string', 'null'] }, segments },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const PROBE_TYPES = ['LOG_PROBE', 'METRIC_PROBE', 'SPAN_PROBE', 'SPAN_DECORATION_PROBE'];
const byType = (type: string, ref: string): Schema => ({
  if: { type: 'object', required: ['type'], properties: { type: { const: type } } },
  then: { $ref: `#/definitions/${ref}` },
});

/** One probe definition: an RC `LIVE_DEBUGGING` file, or one element of the probe file. */
export const probeSchema: Schema = {
  $id: '/periscope/probe.json',
  type: 'object',
  required: ['id', 'type', 'where'],
  properties: {
    // Opaque: never validate the format (probes.md §7).
    id: { type: 'string', minLength: 1 },
    version: { type: 'integer', minimum: 0 },
    type: { enum: PROBE_TYPES },
    language: {},
    where: { $ref: '#/definitions/where' },
    tags: { type: ['array', 'null'], items: { type: 'string' } },
    when: { $ref: '#/definitions/optExpression' },
    evaluateAt: { enum: ['ENTRY', 'EXIT', 'DEFAULT', null] },
  },
  allOf: [
    byType('LOG_PROBE', 'logProbe'),
    byType('METRIC_PROBE', 'metricProbe'),
    byType('SPAN_DECORATION_PROBE', 'spanDecorationProbe'),
  ],
  definitions: probeDefinitions,
};

/** The probe file (`DD_DYNAMIC_INSTRUMENTATION_PROBE_FILE`): a JSON array of probes (probes.md §8). */
export const probeFileSchema: Schema = {
  $id: '/periscope/probe-file.json',
  type: 'array',
  items: { $ref: '/periscope/probe.json' },
};

// ---------------------------------------------------------------------------------------------
// Probe events: the JSON array posted to /debugger/v2/input (snapshots.md). Compatible with
// conformance/system-tests-probes/schemas/library-debugger-v1-input-request.json, which requires
// no field and types the dotted `dd.*`/`logger.*` keys; here `ddsource`, `message` and a
// snapshot with `probe.id` are required, because the reference says every tracer sends them.
// ---------------------------------------------------------------------------------------------

const NOT_CAPTURED_REASONS_DOC =
  'depth, collectionSize, fieldCount, redactedIdent, redactedType, timeout, payloadTooLarge, concurrentModification, or tracer-specific text';

const stackFrame = {
  type: 'object',
  required: ['fileName', 'function', 'lineNumber'],
  properties: {
    fileName: { type: 'string' },
    function: { type: 'string' },
    // 1-based (snapshots.md §2.2); system-tests types them as numbers.
    lineNumber: { type: 'integer', minimum: 1 },
    columnNumber: { type: 'integer', minimum: 1 },
  },
};

const valueMap = { type: 'object', additionalProperties: { $ref: '#/definitions/value' } };

const eventDefinitions: Schema = {
  stackFrame,
  /** One captured value (snapshots.md §4). */
  value: {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: { type: 'string' },
      // Always a string, even for numbers and booleans.
      value: { type: 'string' },
      isNull: { const: true },
      truncated: { const: true },
      size: { type: 'integer', minimum: 0 },
      fields: valueMap,
      elements: { type: 'array', items: { $ref: '#/definitions/value' } },
      entries: {
        type: 'array',
        items: {
          type: 'array',
          items: [{ $ref: '#/definitions/value' }, { $ref: '#/definitions/value' }],
          minItems: 2,
          additionalItems: false,
          'x-error': 'a map entry must be a [key, value] pair',
        },
      },
      notCapturedReason: { type: 'string', minLength: 1, description: NOT_CAPTURED_REASONS_DOC },
      pruned: { const: true },
    },
    // Only the pruner's placeholder has no `type`.
    if: { type: 'object', required: ['pruned'] },
    else: { required: ['type'] },
  },
  capturedContext: {
    type: 'object',
    properties: {
      arguments: valueMap,
      locals: valueMap,
      staticFields: valueMap,
      captureExpressions: valueMap,
      throwable: {
        type: ['object', 'null'],
        required: ['type', 'message'],
        properties: {
          type: { type: 'string' },
          message: { type: 'string' },
          stacktrace: { type: 'array', items: { $ref: '#/definitions/stackFrame' } },
        },
      },
      // The pruner's last resort replaces a whole context with {"pruned": true} (snapshots.md §6).
      pruned: { const: true },
    },
  },
  location: {
    type: 'object',
    if: { type: 'object', required: ['lines'] },
    then: {
      required: ['file'],
      properties: {
        file: { type: 'string' },
        // Strings, as the system-tests schema types them.
        lines: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[0-9]+$' } },
      },
    },
    else: {
      required: ['method'],
      properties: { type: { type: ['string', 'null'] }, method: { type: 'string' } },
      'x-error': 'a location is {file, lines} or {type, method}',
    },
  },
  snapshot: {
    type: 'object',
    required: ['probe'],
    properties: {
      id: { type: 'string', minLength: 1 },
      timestamp: { type: 'integer', minimum: 0 },
      language: { type: 'string' },
      duration: { type: 'number', minimum: 0 },
      exceptionId: { type: 'string' },
      exceptionHash: { type: 'string' },
      frameIndex: { type: 'string' },
      probe: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string', minLength: 1 },
          version: { type: 'integer', minimum: 0 },
          location: { $ref: '#/definitions/location' },
        },
      },
      stack: { type: 'array', items: { $ref: '#/definitions/stackFrame' } },
      captures: {
        type: 'object',
        properties: {
          lines: {
            type: 'object',
            propertyNames: { pattern: '^[0-9]+$', 'x-error': 'line key "{propertyName}" must be a line number string' },
            additionalProperties: { $ref: '#/definitions/capturedContext' },
          },
          entry: { $ref: '#/definitions/capturedContext' },
          return: { $ref: '#/definitions/capturedContext' },
        },
      },
      evaluationErrors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['expr', 'message'],
          properties: { expr: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  },
};

/** One event (snapshot or dynamic log) as posted to `/debugger/v2/input` (snapshots.md §2). */
export const probeEventSchema: Schema = {
  $id: '/periscope/probe-event.json',
  type: 'object',
  required: ['ddsource', 'message'],
  properties: {
    ddsource: { const: 'dd_debugger' },
    service: { type: 'string' },
    hostname: { type: 'string' },
    message: { type: 'string' },
    timestamp: { type: 'integer', minimum: 0 },
    duration: { type: 'number', minimum: 0 },
    process_tags: { type: 'string' },
    logger: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        method: { type: 'string' },
        // dd-trace-js: its version string; Ruby/Python: the integer 2 (snapshots.md §2.1).
        version: { type: ['integer', 'string'] },
        thread_id: { type: ['string', 'integer', 'null'] },
        thread_name: { type: ['string', 'null'] },
      },
    },
    dd: {
      type: 'object',
      required: ['trace_id', 'span_id'],
      properties: { trace_id: { type: 'string' }, span_id: { type: 'string' } },
    },
    // Ruby and older Python send flat dotted keys (the system-tests schema lists these).
    'dd.trace_id': { type: 'string' },
    'dd.span_id': { type: 'string' },
    debugger: {
      type: 'object',
      properties: { type: { type: 'string' }, snapshot: { $ref: '#/definitions/snapshot' } },
    },
    'debugger.snapshot': { $ref: '#/definitions/snapshot' },
  },
  allOf: [
    {
      // The snapshot (always carrying probe.id) is nested, or under the older flat key.
      anyOf: [
        { required: ['debugger'], properties: { debugger: { required: ['snapshot'] } } },
        { required: ['debugger.snapshot'] },
      ],
      'x-error': 'an event needs debugger.snapshot',
    },
  ],
  definitions: eventDefinitions,
};

/** The body of `/debugger/v2/input`: a JSON array of events. */
export const probeEventBatchSchema: Schema = {
  $id: '/periscope/probe-event-batch.json',
  type: 'array',
  items: { $ref: '/periscope/probe-event.json' },
};

// ---------------------------------------------------------------------------------------------
// Diagnostics (diagnostics.md §2): the items of the `event.json` part posted to
// /debugger/v1/diagnostics. library-debugger-v1-diagnostics-request.json validates the same
// items under `content` (with the multipart headers around them) and requires probeId, runtimeId
// and status; here an ERROR must also carry `exception`, because the backend ignores it otherwise.
// ---------------------------------------------------------------------------------------------

export const PROBE_STATUSES = ['RECEIVED', 'INSTALLED', 'EMITTING', 'ERROR', 'BLOCKED'] as const;

export const diagnosticItemSchema: Schema = {
  $id: '/periscope/diagnostic-item.json',
  type: 'object',
  required: ['ddsource', 'debugger'],
  properties: {
    ddsource: { const: 'dd_debugger' },
    service: { type: 'string' },
    timestamp: { type: 'integer', minimum: 0 },
    message: { type: 'string' },
    type: { type: 'string' },
    debugger: {
      type: 'object',
      required: ['diagnostics'],
      properties: {
        diagnostics: {
          type: 'object',
          required: ['probeId', 'runtimeId', 'status'],
          properties: {
            probeId: { type: 'string', minLength: 1 },
            probeVersion: { type: 'integer', minimum: 0 },
            runtimeId: { type: 'string', minLength: 1 },
            parentId: { type: ['string', 'null'] },
            status: { enum: PROBE_STATUSES },
            exception: {
              type: ['object', 'null'],
              properties: {
                type: { type: 'string' },
                message: { type: 'string' },
                // dd-trace-js sends err.stack; others a frame list (system-tests accepts both).
                stacktrace: { type: ['string', 'array'], items: stackFrame },
              },
            },
          },
          if: { type: 'object', required: ['status'], properties: { status: { const: 'ERROR' } } },
          then: {
            required: ['exception'],
            properties: { exception: { type: 'object', required: ['message'], 'x-error': 'an ERROR status needs an exception with a message' } },
          },
        },
      },
    },
  },
};

export const diagnosticsBatchSchema: Schema = {
  $id: '/periscope/diagnostics-batch.json',
  type: 'array',
  items: { $ref: '/periscope/diagnostic-item.json' },
};

// ---------------------------------------------------------------------------------------------
// Symbol Database (symbol-database.md). library-symdb-v1-input-request.json validates the same
// parts (json_content, gzip_content); its `const` values for service/env/version are the
// system-tests weblog's and are not part of the format. Its Go exemption (no `line` when
// symbol_type is "field") is not kept: the reference's kinds are upper-case.
// ---------------------------------------------------------------------------------------------

const lineOrSentinel = { type: 'integer', minimum: 0, maximum: MAX_LINE };

const symdbDefinitions: Schema = {
  symbol: {
    type: 'object',
    required: ['symbol_type', 'name', 'line', 'type'],
    properties: {
      symbol_type: { enum: ['ARG', 'LOCAL', 'FIELD', 'STATIC_FIELD'] },
      name: { type: 'string', minLength: 1 },
      line: lineOrSentinel,
      // The key is always present; null when unknown.
      type: { type: ['string', 'null'] },
      language_specifics: { type: ['object', 'null'] },
    },
  },
  scope: {
    type: 'object',
    required: ['scope_type', 'start_line', 'end_line'],
    properties: {
      scope_type: { enum: ['FILE', 'MODULE', 'JAR', 'PACKAGE', 'ASSEMBLY', 'CLASS', 'METHOD', 'FUNCTION', 'CLOSURE', 'LOCAL'] },
      name: { type: ['string', 'null'] },
      source_file: { type: 'string' },
      start_line: lineOrSentinel,
      end_line: lineOrSentinel,
      language_specifics: {
        type: ['object', 'null'],
        properties: {
          // Git blob SHA-1 (symbol-database.md §3.1).
          file_hash: { type: 'string', pattern: '^[0-9a-f]{40}$' },
          super_classes: { type: 'array', items: { type: 'string' } },
        },
      },
      symbols: { type: ['array', 'null'], items: { $ref: '#/definitions/symbol' } },
      scopes: { type: ['array', 'null'], items: { $ref: '#/definitions/scope' } },
      has_injectible_lines: { type: 'boolean' },
      // The historical misspelling is the wire name.
      injectible_lines: {
        type: 'array',
        items: {
          type: 'object',
          required: ['start', 'end'],
          properties: { start: { type: 'integer', minimum: 1 }, end: { type: 'integer', minimum: 1 } },
        },
      },
    },
  },
};

/** The `event` part of a `/symdb/v1/input` upload (symbol-database.md §2). */
export const symdbEventSchema: Schema = {
  $id: '/periscope/symdb-event.json',
  type: 'object',
  required: ['ddsource', 'service', 'runtimeId'],
  properties: {
    ddsource: { type: 'string', minLength: 1 },
    service: { type: 'string' },
    version: { type: 'string' },
    language: { type: 'string' },
    runtimeId: { type: 'string', minLength: 1 },
    parentId: { type: ['string', 'null'] },
    type: { const: 'symdb' },
    uploadId: { type: 'string', minLength: 1 },
    batchNum: { type: 'integer', minimum: 1 },
    final: { type: 'boolean' },
    attachmentSize: { type: 'integer', minimum: 1 },
  },
  allOf: [{ not: { required: ['debugger'] }, 'x-error': 'a symdb event must not contain a "debugger" key' }],
};

/** The gunzipped JSON of the `file` part (symbol-database.md §3). */
export const symdbAttachmentSchema: Schema = {
  $id: '/periscope/symdb-attachment.json',
  type: 'object',
  required: ['service', 'env', 'version', 'language', 'scopes'],
  properties: {
    // Strings, always: Ruby's null breaks the backend schema.
    service: { type: 'string' },
    env: { type: 'string' },
    version: { type: 'string' },
    language: { type: 'string', minLength: 1 },
    upload_id: { type: 'string', minLength: 1 },
    batch_num: { type: 'integer', minimum: 1 },
    final: { type: 'boolean' },
    schema_version: { type: 'integer' },
    scopes: {
      type: 'array',
      items: {
        allOf: [
          { $ref: '#/definitions/scope' },
          {
            // The backend accepts only these as roots (symbol-database.md §3.1).
            properties: { scope_type: { enum: ['MODULE', 'JAR', 'ASSEMBLY', 'PACKAGE', 'FILE'], 'x-error': 'a root scope must be MODULE, FILE, JAR, PACKAGE or ASSEMBLY' } },
          },
        ],
      },
    },
  },
  definitions: symdbDefinitions,
};

// ---------------------------------------------------------------------------------------------
// Remote Config /v0.7/config (remote-config.md §2, §3). The request adds the agent's own
// rejections (§1) that a schema can express; `client.id != client_tracer.runtime_id` cannot be.
// ---------------------------------------------------------------------------------------------

const base64 = {
  type: 'string',
  pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
  'x-error': 'must be standard padded base64',
};
const sha256Hex = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const configPath = {
  type: 'string',
  pattern: '^(datadog/[0-9]+/[^/]+/[^/]+/[^/]+|employee/[^/]+/[^/]+/[^/]+)$',
  'x-error': 'must be a config path datadog/<org_id>/<PRODUCT>/<config_id>/<name> or employee/<PRODUCT>/<config_id>/<name>',
};
const stringArray = { type: 'array', items: { type: 'string' } };

export const rcClientRequestSchema: Schema = {
  $id: '/periscope/rc-request.json',
  type: 'object',
  required: ['client'],
  properties: {
    client: {
      type: 'object',
      required: ['state', 'id', 'products', 'is_tracer', 'capabilities'],
      properties: {
        id: { type: 'string', minLength: 1 },
        products: stringArray,
        is_tracer: { type: 'boolean' },
        capabilities: base64,
        client_tracer: {
          type: 'object',
          required: ['runtime_id', 'language', 'tracer_version', 'service'],
          properties: {
            runtime_id: { type: 'string', minLength: 1 },
            language: { type: 'string', minLength: 1 },
            tracer_version: { type: 'string', minLength: 1 },
            service: { type: 'string', minLength: 1 },
            env: { type: 'string' },
            app_version: { type: 'string' },
            tags: stringArray,
            extra_services: stringArray,
            process_tags: stringArray,
          },
        },
        state: {
          type: 'object',
          required: ['root_version', 'targets_version'],
          properties: {
            root_version: { type: 'integer', minimum: 1 },
            targets_version: { type: 'integer', minimum: 0 },
            config_states: {
              type: ['array', 'null'],
              items: {
                type: 'object',
                required: ['id', 'version', 'product'],
                properties: {
                  id: { type: 'string', minLength: 1 },
                  version: { type: 'integer', minimum: 0 },
                  product: { type: 'string', minLength: 1 },
                  apply_state: { enum: [0, 1, 2, 3] },
                  apply_error: { type: 'string' },
                },
              },
            },
            has_error: { type: 'boolean' },
            error: { type: 'string' },
            backend_client_state: { type: 'string' },
          },
          if: { type: 'object', required: ['has_error'], properties: { has_error: { const: true } } },
          then: { required: ['error'], properties: { error: { minLength: 1, 'x-error': 'must be non-empty when has_error is true' } } },
        },
      },
      if: { type: 'object', required: ['is_tracer'], properties: { is_tracer: { const: true } } },
      then: { required: ['client_tracer'] },
    },
    cached_target_files: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        required: ['path', 'length', 'hashes'],
        properties: {
          path: configPath,
          length: { type: 'integer', minimum: 0 },
          hashes: {
            type: 'array',
            items: {
              type: 'object',
              required: ['algorithm', 'hash'],
              properties: { algorithm: { type: 'string' }, hash: { type: 'string' } },
            },
          },
        },
      },
    },
  },
};

/** The response body; every key is optional and `{}` means "no change" (§3, §3.2). */
export const rcResponseSchema: Schema = {
  $id: '/periscope/rc-response.json',
  type: 'object',
  properties: {
    roots: { type: 'array', items: base64 },
    targets: base64,
    target_files: {
      type: 'array',
      items: { type: 'object', required: ['path', 'raw'], properties: { path: configPath, raw: base64 } },
    },
    client_configs: { type: 'array', items: configPath },
  },
};

/** The decoded `targets` document of a response (§3.1). */
export const rcTargetsSchema: Schema = {
  $id: '/periscope/rc-targets.json',
  type: 'object',
  required: ['signed'],
  properties: {
    signatures: {
      type: 'array',
      items: { type: 'object', required: ['keyid', 'sig'], properties: { keyid: { type: 'string' }, sig: { type: 'string' } } },
    },
    signed: {
      type: 'object',
      required: ['_type', 'spec_version', 'version', 'targets'],
      properties: {
        _type: { const: 'targets' },
        spec_version: { enum: ['1.0', '1.0.0'] },
        version: { type: 'integer', minimum: 0 },
        expires: { type: 'string' },
        custom: {
          type: 'object',
          properties: { opaque_backend_state: { type: 'string' }, agent_refresh_interval: { type: 'number' } },
        },
        targets: {
          type: 'object',
          propertyNames: configPath,
          additionalProperties: {
            type: 'object',
            required: ['length', 'hashes'],
            properties: {
              length: { type: 'integer', minimum: 0 },
              hashes: { type: 'object', required: ['sha256'], properties: { sha256: sha256Hex } },
              custom: { type: 'object', properties: { v: { type: 'integer', minimum: 0 } } },
            },
          },
        },
      },
    },
  },
};
