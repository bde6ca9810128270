/**
 * Event, diagnostics, Symbol Database and Remote Config schemas against the reference's printed
 * examples, tables of invalid payloads, and the system-tests schemas in
 * conformance/system-tests-probes/schemas/ (same samples through both).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import {
  validateDiagnosticItem,
  validateDiagnosticsBatch,
  validateProbe,
  validateProbeEvent,
  validateProbeEventBatch,
  validateRcClientRequest,
  validateRcResponse,
  validateRcTargets,
  validateSymdbAttachment,
  validateSymdbEvent,
} from '../src/index.js';

const SCHEMAS = new URL('../../../../conformance/system-tests-probes/schemas/', import.meta.url);
const systemTests = new Ajv({ strict: false, allErrors: true });
const stSchema = (name: string) => systemTests.compile(JSON.parse(readFileSync(new URL(name, SCHEMAS), 'utf8')) as object);
const stInput = stSchema('library-debugger-v1-input-request.json');
const stDiagnostics = stSchema('library-debugger-v1-diagnostics-request.json');
const stSymdb = stSchema('library-symdb-v1-input-request.json');

const clone = <T>(v: T): T => structuredClone(v);

/** snapshots.md §9, verbatim. */
const REFERENCE_EVENT = {
  ddsource: 'dd_debugger',
  service: 'checkout',
  hostname: 'web-7f9c',
  message: 'Loaded user 1234',
  timestamp: 1760000000123,
  logger: { name: 'src/routes/users.ts', method: 'getUser', version: 2, thread_id: 'pid:4242', thread_name: 'MainThread' },
  dd: { trace_id: '6950893726534962184', span_id: '1290734219371234411' },
  debugger: {
    type: 'snapshot',
    snapshot: {
      id: '5c0d2c1e-4a63-4a5e-8f0e-2b7d9f3c1a11',
      timestamp: 1760000000123,
      language: 'javascript',
      probe: { id: '9f0c8c1e-3b7a-4d2a-9a35-2f6f5c1d7e11', version: 0, location: { file: 'src/routes/users.ts', lines: ['42'] } },
      stack: [
        { fileName: '/app/src/routes/users.ts', function: 'getUser', lineNumber: 42, columnNumber: 5 },
        { fileName: '/app/node_modules/express/lib/router/layer.js', function: 'handle', lineNumber: 95, columnNumber: 5 },
      ],
      captures: {
        lines: {
          '42': {
            arguments: {
              req: { type: 'IncomingMessage', fields: { url: { type: 'string', value: '/users/1234' } }, notCapturedReason: 'fieldCount', size: 61 },
            },
            locals: {
              user: {
                type: 'User',
                fields: {
                  id: { type: 'number', value: '1234' },
                  email: { type: 'string', value: 'a@example.com' },
                  password: { type: 'string', notCapturedReason: 'redactedIdent' },
                  roles: { type: 'Array', elements: [{ type: 'string', value: 'admin' }] },
                  profile: { type: 'Object', fields: { prefs: { type: 'Object', fields: { theme: { type: 'Object', notCapturedReason: 'depth' } } } } },
                },
              },
              bio: { type: 'string', value: 'Lorem ipsum …', truncated: true, size: 1200 },
              cache: {
                type: 'Map',
                entries: [[{ type: 'string', value: 'k' }, { type: 'number', value: '1' }]],
                notCapturedReason: 'collectionSize',
                size: 500,
              },
              missing: { type: 'undefined' },
              none: { type: 'null', isNull: true },
            },
          },
        },
      },
      evaluationErrors: [],
    },
  },
};

/** Other shapes the reference describes: a method probe with entry/return, a pruned event, an error-only event, Ruby's flat keys. */
const OTHER_EVENTS: unknown[] = [
  {
    ddsource: 'dd_debugger', service: 's', message: 'getUser returned', duration: 1200,
    logger: { name: 'users.rb', method: 'get_user', version: 2, thread_id: null, thread_name: 'main' },
    'dd.trace_id': '1', 'dd.span_id': '2',
    debugger: {
      type: 'snapshot',
      snapshot: {
        id: 'e', timestamp: 1, language: 'ruby', probe: { id: 'p', version: 0, location: { type: 'UserController', method: 'get_user' } },
        captures: {
          entry: { arguments: { id: { type: 'Integer', value: '7' } } },
          return: {
            arguments: { id: { type: 'Integer', value: '7' } },
            locals: { '@return': { type: 'NilClass', isNull: true } },
            throwable: { type: 'RuntimeError', message: 'boom', stacktrace: [{ fileName: 'users.rb', function: 'get_user', lineNumber: 3 }] },
          },
        },
      },
    },
  },
  {
    ddsource: 'dd_debugger', service: 's', message: 'big',
    debugger: { snapshot: { id: 'e', timestamp: 1, language: 'javascript', probe: { id: 'p', version: 3, location: { file: 'a.js', lines: ['9'] } },
      captures: { lines: { '9': { locals: { a: { type: 'Object', fields: { b: { pruned: true }, c: { type: 'Array', notCapturedReason: 'payloadTooLarge' } } } } } } } } },
  },
  {
    ddsource: 'dd_debugger', service: 's', message: 'x',
    debugger: { snapshot: { id: 'e', timestamp: 1, language: 'javascript', probe: { id: 'p', version: 3, location: { file: 'a.js', lines: ['9'] } },
      captures: { lines: { '9': { pruned: true } } } } },
  },
  {
    ddsource: 'dd_debugger', service: 's', message: 'Error evaluating template',
    debugger: { snapshot: { id: 'e', timestamp: 1, language: 'javascript', probe: { id: 'p', version: 0, location: { file: 'a.js', lines: ['9'] } },
      evaluationErrors: [{ expr: 'user.id', message: 'ReferenceError: user is not defined' }] } },
  },
  // Older Python: the flat "debugger.snapshot" key.
  { ddsource: 'dd_debugger', service: 's', message: 'm', 'debugger.snapshot': { id: 'e', probe: { id: 'p' }, language: 'python' } },
];

test('the reference event and the other documented shapes validate, one by one and as a batch', () => {
  for (const e of [REFERENCE_EVENT, ...OTHER_EVENTS]) {
    const r = validateProbeEvent(e);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  }
  assert.ok(validateProbeEventBatch([REFERENCE_EVENT, ...OTHER_EVENTS]).ok);
});

/** Invalid events: [description, mutate, our messages, what the system-tests schema says]. */
const INVALID_EVENTS: Array<[string, (e: any) => void, string[], 'accepts' | 'rejects']> = [
  ['ddsource is not dd_debugger', (e) => (e.ddsource = 'python'), ['ddsource: must be "dd_debugger"'], 'accepts'],
  ['no message', (e) => delete e.message, ['message: is required'], 'accepts'],
  ['no snapshot', (e) => delete e.debugger.snapshot, ['(root): an event needs debugger.snapshot'], 'accepts'],
  ['no probe id', (e) => delete e.debugger.snapshot.probe.id, ['debugger.snapshot.probe.id: is required'], 'accepts'],
  ['lines as integers', (e) => (e.debugger.snapshot.probe.location.lines = [42]), ['debugger.snapshot.probe.location.lines[0]: must be string'], 'rejects'],
  ['timestamp as a string', (e) => (e.debugger.snapshot.timestamp = '1760000000123'), ['debugger.snapshot.timestamp: must be integer'], 'rejects'],
  ['stack line as a string', (e) => (e.debugger.snapshot.stack[0].lineNumber = '42'), ['debugger.snapshot.stack[0].lineNumber: must be integer'], 'rejects'],
  ['probe version as a string', (e) => (e.debugger.snapshot.probe.version = '0'), ['debugger.snapshot.probe.version: must be integer'], 'rejects'],
  ['captures not an object', (e) => (e.debugger.snapshot.captures = []), ['debugger.snapshot.captures: must be object'], 'rejects'],
  [
    'a number value not encoded as a string',
    (e) => (e.debugger.snapshot.captures.lines['42'].locals.user.fields.id.value = 1234),
    ['debugger.snapshot.captures.lines[42].locals.user.fields.id.value: must be string'],
    'accepts',
  ],
  ['a value without type', (e) => delete e.debugger.snapshot.captures.lines['42'].locals.bio.type, ['debugger.snapshot.captures.lines[42].locals.bio.type: is required'], 'accepts'],
  ['a misspelt value key', (e) => (e.debugger.snapshot.captures.lines['42'].locals.missing.feilds = {}), ['debugger.snapshot.captures.lines[42].locals.missing.feilds: is not an allowed key'], 'accepts'],
  ['size as a string', (e) => (e.debugger.snapshot.captures.lines['42'].locals.bio.size = '1200'), ['debugger.snapshot.captures.lines[42].locals.bio.size: must be integer'], 'accepts'],
  ['isNull false', (e) => (e.debugger.snapshot.captures.lines['42'].locals.none.isNull = false), ['debugger.snapshot.captures.lines[42].locals.none.isNull: must be true'], 'accepts'],
  [
    'a map entry that is not a pair',
    (e) => e.debugger.snapshot.captures.lines['42'].locals.cache.entries[0].pop(),
    ['debugger.snapshot.captures.lines[42].locals.cache.entries[0]: a map entry must be a [key, value] pair'],
    'accepts',
  ],
  ['a captures line key that is not a line', (e) => (e.debugger.snapshot.captures.lines.main = {}), ['debugger.snapshot.captures.lines: line key "main" must be a line number string'], 'accepts'],
  ['trace ids as numbers', (e) => (e.dd.trace_id = 6950893726534962184), ['dd.trace_id: must be string'], 'accepts'],
  ['evaluation error without message', (e) => e.debugger.snapshot.evaluationErrors.push({ expr: 'x' }), ['debugger.snapshot.evaluationErrors[0].message: is required'], 'accepts'],
];

test('invalid events: our schema names the path; the system-tests schema agrees where it constrains the field', () => {
  for (const [what, mutate, errors, st] of INVALID_EVENTS) {
    const e = clone(REFERENCE_EVENT);
    mutate(e);
    assert.deepEqual(validateProbeEvent(e), { ok: false, errors }, what);
    assert.equal(stInput([e]), st === 'accepts', `${what}: system-tests ${st}: ${systemTests.errorsText(stInput.errors)}`);
  }
});

test('every valid event sample is also valid for the system-tests input schema', () => {
  assert.ok(stInput([REFERENCE_EVENT, ...OTHER_EVENTS]), systemTests.errorsText(stInput.errors));
});

test('batch errors carry the element index', () => {
  const bad = clone(REFERENCE_EVENT) as Record<string, unknown>;
  delete bad['message'];
  assert.deepEqual(validateProbeEventBatch([REFERENCE_EVENT, bad]), { ok: false, errors: ['[1].message: is required'] });
  assert.deepEqual(validateProbeEventBatch({}), { ok: false, errors: ['(root): must be array'] });
});

// --- diagnostics -------------------------------------------------------------------------------

/** diagnostics.md §1 and §2. */
const RECEIVED = {
  ddsource: 'dd_debugger', service: 'checkout', timestamp: 1760000000000, message: 'Probe 9f0c… has been received correctly',
  debugger: { diagnostics: { probeId: '9f0c8c1e-3b7a-4d2a-9a35-2f6f5c1d7e11', probeVersion: 0, runtimeId: '0c2a9e54-8d1f-4b7a-a3c6-1e9f0d8b7a65', parentId: null, status: 'RECEIVED' } },
};
const ERROR_ITEM = {
  ddsource: 'dd_debugger', service: 'checkout', timestamp: 1760000000000,
  message: 'Instrumentation for probe 9f0c… failed: No loaded script found for src/x.ts', type: 'diagnostic',
  debugger: {
    diagnostics: {
      probeId: '9f0c8c1e-3b7a-4d2a-9a35-2f6f5c1d7e11', probeVersion: 0, runtimeId: '0c2a9e54-8d1f-4b7a-a3c6-1e9f0d8b7a65', parentId: null, status: 'ERROR',
      exception: { type: 'Error', message: 'No loaded script found for src/x.ts', stacktrace: 'Error: No loaded script…\n    at …' },
    },
  },
};
const stDiag = (items: unknown[]) => stDiagnostics([{ headers: { 'Content-Type': 'application/json; charset=utf-8' }, content: items }]);

test('the reference diagnostic items validate, with both schemas', () => {
  const framesError = clone(ERROR_ITEM) as any;
  framesError.debugger.diagnostics.exception.stacktrace = [{ fileName: 'a.py', function: 'f', lineNumber: 3 }];
  const items = [RECEIVED, ERROR_ITEM, framesError];
  for (const s of ['INSTALLED', 'EMITTING', 'BLOCKED']) {
    const i = clone(RECEIVED) as any;
    i.debugger.diagnostics.status = s;
    items.push(i);
  }
  for (const i of items) {
    const r = validateDiagnosticItem(i);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('; '));
  }
  assert.ok(validateDiagnosticsBatch(items).ok);
  assert.ok(stDiag(items), systemTests.errorsText(stDiagnostics.errors));
});

const INVALID_DIAGNOSTICS: Array<[string, (d: any) => void, string[], 'accepts' | 'rejects']> = [
  ['unknown status', (d) => (d.debugger.diagnostics.status = 'FAILED'), ['debugger.diagnostics.status: must be one of "RECEIVED", "INSTALLED", "EMITTING", "ERROR", "BLOCKED"'], 'rejects'],
  ['no runtimeId', (d) => delete d.debugger.diagnostics.runtimeId, ['debugger.diagnostics.runtimeId: is required'], 'rejects'],
  ['no probeId', (d) => delete d.debugger.diagnostics.probeId, ['debugger.diagnostics.probeId: is required'], 'rejects'],
  ['probeVersion as a string', (d) => (d.debugger.diagnostics.probeVersion = '0'), ['debugger.diagnostics.probeVersion: must be integer'], 'rejects'],
  ['no ddsource', (d) => delete d.ddsource, ['ddsource: is required'], 'rejects'],
  ['ERROR without exception', (d) => delete d.debugger.diagnostics.exception, ['debugger.diagnostics.exception: is required'], 'accepts'],
  ['ERROR with a null exception', (d) => (d.debugger.diagnostics.exception = null), ['debugger.diagnostics.exception: an ERROR status needs an exception with a message'], 'accepts'],
  ['stacktrace as a number', (d) => (d.debugger.diagnostics.exception.stacktrace = 3), ['debugger.diagnostics.exception.stacktrace: must be string or array'], 'rejects'],
];

test('invalid diagnostic items: path-named messages, compared with the system-tests schema', () => {
  for (const [what, mutate, errors, st] of INVALID_DIAGNOSTICS) {
    const d = clone(ERROR_ITEM);
    mutate(d);
    assert.deepEqual(validateDiagnosticItem(d), { ok: false, errors }, what);
    assert.equal(stDiag([d]), st === 'accepts', `${what}: system-tests ${st}`);
  }
});

// --- Symbol Database ---------------------------------------------------------------------------

/** symbol-database.md §2 and §8. */
const SYMDB_EVENT = {
  ddsource: 'dd_debugger', service: 'checkout', version: '2.3.1', language: 'javascript', runtimeId: '0c2a9e54-8d1f-4b7a-a3c6-1e9f0d8b7a65',
  parentId: null, type: 'symdb', uploadId: '3b0e8f7a-2c1d-4e5f-9a8b-7c6d5e4f3a2b', batchNum: 1, final: false, attachmentSize: 48213,
};
const SYMDB_ATTACHMENT = {
  service: 'checkout', env: 'prod', version: '2.3.1', language: 'javascript', upload_id: '3b0e8f7a-2c1d-4e5f-9a8b-7c6d5e4f3a2b', batch_num: 1, final: false,
  scopes: [{
    scope_type: 'MODULE', name: 'src/services/user.ts', source_file: 'src/services/user.ts', start_line: 0, end_line: 2147483647,
    language_specifics: { file_hash: 'ce013625030ba8dba906f756967f9e9ca394464a' },
    symbols: [{ symbol_type: 'STATIC_FIELD', name: 'DEFAULT_TTL', line: 3, type: 'number' }],
    scopes: [{
      scope_type: 'CLASS', name: 'UserService', source_file: 'src/services/user.ts', start_line: 5, end_line: 30,
      language_specifics: { super_classes: ['BaseService'] },
      symbols: [{ symbol_type: 'FIELD', name: 'cache', line: 0, type: 'Map<string, User>' }],
      scopes: [{
        scope_type: 'METHOD', name: 'getUser', source_file: 'src/services/user.ts', start_line: 12, end_line: 20,
        symbols: [{ symbol_type: 'ARG', name: 'id', line: 0, type: 'string' }, { symbol_type: 'LOCAL', name: 'user', line: 13, type: null }],
        has_injectible_lines: true, injectible_lines: [{ start: 13, end: 19 }],
      }],
    }],
  }],
};
/** The system-tests symdb schema checks parts as captured: headers plus content; its gzip part pins the weblog's service/env/version. */
const PINNED = { service: 'weblog', env: 'system-tests', version: '1.0.0' };
const stSymdbParts = (event: unknown, attachment: Record<string, unknown>) =>
  stSymdb([
    { headers: { 'Content-Type': 'application/json' }, content: event },
    {
      headers: { 'Content-Type': 'application/gzip' },
      content: { ...attachment, ...Object.fromEntries(Object.entries(PINNED).filter(([k]) => typeof attachment[k] === 'string')) },
    },
  ]);

test('the reference symdb event and attachment validate, with both schemas', () => {
  assert.deepEqual(validateSymdbEvent(SYMDB_EVENT), { ok: true, value: SYMDB_EVENT });
  assert.deepEqual(validateSymdbAttachment(SYMDB_ATTACHMENT), { ok: true, value: SYMDB_ATTACHMENT });
  assert.ok(stSymdbParts(SYMDB_EVENT, SYMDB_ATTACHMENT), systemTests.errorsText(stSymdb.errors));
});

const method = 'scopes[0].scopes[0].scopes[0]';
const INVALID_SYMDB: Array<[string, (a: any) => void, string[], 'accepts' | 'rejects']> = [
  ['null env (Ruby)', (a) => (a.env = null), ['env: must be string'], 'rejects'],
  ['no scopes', (a) => delete a.scopes, ['scopes: is required'], 'rejects'],
  ['a CLASS root', (a) => (a.scopes[0].scope_type = 'CLASS'), ['scopes[0].scope_type: a root scope must be MODULE, FILE, JAR, PACKAGE or ASSEMBLY'], 'accepts'],
  ['unknown scope type', (a) => (a.scopes[0].scopes[0].scope_type = 'NAMESPACE'), ['scopes[0].scopes[0].scope_type: must be one of "FILE", "MODULE", "JAR", "PACKAGE", "ASSEMBLY", "CLASS", "METHOD", "FUNCTION", "CLOSURE", "LOCAL"'], 'accepts'],
  ['no end_line', (a) => delete a.scopes[0].end_line, ['scopes[0].end_line: is required'], 'rejects'],
  ['end line past the sentinel', (a) => (a.scopes[0].end_line = 2147483648), ['scopes[0].end_line: must be <= 2147483647'], 'accepts'],
  ['symbol without type key', (a) => delete a.scopes[0].scopes[0].scopes[0].symbols[1].type, [`${method}.symbols[1].type: is required`], 'rejects'],
  ['symbol without line', (a) => delete a.scopes[0].symbols[0].line, ['scopes[0].symbols[0].line: is required'], 'rejects'],
  ['lower-case symbol type', (a) => (a.scopes[0].symbols[0].symbol_type = 'static_field'), ['scopes[0].symbols[0].symbol_type: must be one of "ARG", "LOCAL", "FIELD", "STATIC_FIELD"'], 'accepts'],
  ['"fixed" spelling of injectible', (a) => (a.scopes[0].scopes[0].scopes[0].injectable_lines = a.scopes[0].scopes[0].scopes[0].injectible_lines), [], 'accepts'],
  ['injectible range without end', (a) => delete a.scopes[0].scopes[0].scopes[0].injectible_lines[0].end, [`${method}.injectible_lines[0].end: is required`], 'accepts'],
  ['file hash not a git SHA-1', (a) => (a.scopes[0].language_specifics.file_hash = 'sha256:abc'), ['scopes[0].language_specifics.file_hash: must match pattern "^[0-9a-f]{40}$"'], 'accepts'],
];

test('invalid symdb attachments: path-named messages, compared with the system-tests schema', () => {
  for (const [what, mutate, errors, st] of INVALID_SYMDB) {
    const a = clone(SYMDB_ATTACHMENT);
    mutate(a);
    // An unknown key is allowed (the misspelling must not be "fixed", but other keys are ignored).
    assert.deepEqual(validateSymdbAttachment(a), errors.length === 0 ? { ok: true, value: a } : { ok: false, errors }, what);
    assert.equal(stSymdbParts(SYMDB_EVENT, a), st === 'accepts', `${what}: system-tests ${st}`);
  }
});

test('invalid symdb events', () => {
  assert.deepEqual(validateSymdbEvent({ ...SYMDB_EVENT, debugger: {} }), { ok: false, errors: ['(root): a symdb event must not contain a "debugger" key'] });
  assert.deepEqual(validateSymdbEvent({ ...SYMDB_EVENT, batchNum: 0, attachmentSize: 0 }), {
    ok: false,
    errors: ['batchNum: must be >= 1', 'attachmentSize: must be >= 1'],
  });
  const { runtimeId: _, ...noRuntime } = SYMDB_EVENT;
  assert.deepEqual(validateSymdbEvent(noRuntime), { ok: false, errors: ['runtimeId: is required'] });
  assert.equal(stSymdbParts(noRuntime, SYMDB_ATTACHMENT), false);
});

// --- Remote Config -----------------------------------------------------------------------------

/** remote-config.md §8, request 1 and request 2. */
const RC_REQUEST_1 = {
  client: {
    state: { root_version: 1, targets_version: 0, config_states: [], has_error: false, error: '', backend_client_state: '' },
    id: '6f1d2a7e-5b0c-4c1e-9d3f-2a8b7c6d5e4f',
    products: ['APM_TRACING', 'LIVE_DEBUGGING'],
    is_tracer: true,
    client_tracer: {
      runtime_id: '0c2a9e54-8d1f-4b7a-a3c6-1e9f0d8b7a65', language: 'node', tracer_version: '1.4.0', service: 'checkout', env: 'prod', app_version: '2.3.1',
      extra_services: [],
      tags: ['env:prod', 'version:2.3.1', 'runtime-id:0c2a9e54-8d1f-4b7a-a3c6-1e9f0d8b7a65', '_dd.rc.client_id:6f1d2a7e-5b0c-4c1e-9d3f-2a8b7c6d5e4f'],
    },
    capabilities: 'I0AgCPAA',
  },
  cached_target_files: [],
};
const PROBE_PATH = 'datadog/2/LIVE_DEBUGGING/logProbe_9f0c8c1e-3b7a-4d2a-9a35-2f6f5c1d7e11/config';
const PROBE_BYTES =
  '{"id":"9f0c8c1e-3b7a-4d2a-9a35-2f6f5c1d7e11","version":0,"type":"LOG_PROBE","language":"javascript","where":{"sourceFile":"src/routes/users.ts","lines":["42"]},"tags":[],"template":"Loaded user {user.id}","segments":[{"str":"Loaded user "},{"dsl":"user.id","json":{"getmember":[{"ref":"user"},"id"]}}],"captureSnapshot":false}';
const PROBE_SHA = '63f32f6c4a0f7c7510a8f1374c032fa2bdfe1a249162276a4e0d066a77d97d84';
const RC_TARGETS = {
  signatures: [{ keyid: '<hex keyid>', sig: '<hex signature>' }],
  signed: {
    _type: 'targets', spec_version: '1.0.0', version: 27, expires: '2030-01-01T00:00:00Z',
    custom: { opaque_backend_state: 'eyJmb28iOiJiYXIifQ==' },
    targets: { [PROBE_PATH]: { custom: { v: 3 }, hashes: { sha256: PROBE_SHA }, length: 326 } },
  },
};
const RC_RESPONSE_1 = {
  targets: Buffer.from(JSON.stringify(RC_TARGETS)).toString('base64'),
  target_files: [{ path: PROBE_PATH, raw: Buffer.from(PROBE_BYTES).toString('base64') }],
  client_configs: [PROBE_PATH],
};
const RC_REQUEST_2 = {
  ...RC_REQUEST_1,
  client: {
    ...RC_REQUEST_1.client,
    state: {
      root_version: 1, targets_version: 27,
      config_states: [{ id: 'logProbe_9f0c8c1e-3b7a-4d2a-9a35-2f6f5c1d7e11', version: 3, product: 'LIVE_DEBUGGING', apply_state: 2, apply_error: '' }],
      has_error: false, error: '', backend_client_state: 'eyJmb28iOiJiYXIifQ==',
    },
  },
  cached_target_files: [{ path: PROBE_PATH, length: 326, hashes: [{ algorithm: 'sha256', hash: PROBE_SHA }] }],
};

test('the worked Remote Config exchange validates, and its probe file is the probe the reference hashes', () => {
  assert.ok(validateRcClientRequest(RC_REQUEST_1).ok);
  assert.ok(validateRcClientRequest(RC_REQUEST_2).ok);
  assert.ok(validateRcResponse(RC_RESPONSE_1).ok);
  assert.ok(validateRcResponse({}).ok, 'an empty answer means "no change"');
  const targets = validateRcTargets(JSON.parse(Buffer.from(RC_RESPONSE_1.targets, 'base64').toString('utf8')));
  assert.ok(targets.ok);
  // The reference's length and hash describe exactly these bytes; the content is a valid probe.
  const meta = targets.value.signed.targets[PROBE_PATH]!;
  assert.equal(Buffer.byteLength(PROBE_BYTES), meta.length);
  assert.equal(createHash('sha256').update(PROBE_BYTES).digest('hex'), meta.hashes.sha256);
  assert.ok(validateProbe(JSON.parse(PROBE_BYTES)).ok);
});

test('the system-tests expected RC states are consistent with the request schema once the client identity is added', () => {
  const expected = JSON.parse(readFileSync(new URL('../remote_config/rc_expected_requests_live_debugging.json', SCHEMAS), 'utf8')) as Array<{ client: { state: object }; cached_target_files?: unknown[] }>;
  assert.ok(expected.length > 0);
  for (const [i, e] of expected.entries()) {
    const request = { ...RC_REQUEST_1, client: { ...RC_REQUEST_1.client, state: e.client.state }, cached_target_files: e.cached_target_files ?? [] };
    const r = validateRcClientRequest(request);
    assert.ok(r.ok, `request ${i}: ${r.ok ? '' : r.errors.join('; ')}`);
  }
});

const INVALID_RC: Array<[string, unknown, (v: unknown) => unknown, string[]]> = [
  ['request without client', RC_REQUEST_1, () => ({ cached_target_files: [] }), ['client: is required']],
  ['root_version 0', RC_REQUEST_1, (r: any) => ((r.client.state.root_version = 0), r), ['client.state.root_version: must be >= 1']],
  ['tracer without client_tracer', RC_REQUEST_1, (r: any) => (delete r.client.client_tracer, r), ['client.client_tracer: is required']],
  ['empty language', RC_REQUEST_1, (r: any) => ((r.client.client_tracer.language = ''), r), ['client.client_tracer.language: must NOT have fewer than 1 characters']],
  ['empty client id', RC_REQUEST_1, (r: any) => ((r.client.id = ''), r), ['client.id: must NOT have fewer than 1 characters']],
  ['has_error without text', RC_REQUEST_1, (r: any) => ((r.client.state.has_error = true), r), ['client.state.error: must be non-empty when has_error is true']],
  ['apply_state 4', RC_REQUEST_2, (r: any) => ((r.client.state.config_states[0].apply_state = 4), r), ['client.state.config_states[0].apply_state: must be one of 0, 1, 2, 3']],
  ['capabilities not base64', RC_REQUEST_1, (r: any) => ((r.client.capabilities = '0x23402008F000'), r), ['client.capabilities: must be standard padded base64']],
  [
    'cached file with a bad path',
    RC_REQUEST_2,
    (r: any) => ((r.cached_target_files[0].path = 'LIVE_DEBUGGING/x/config'), r),
    ['cached_target_files[0].path: must be a config path datadog/<org_id>/<PRODUCT>/<config_id>/<name> or employee/<PRODUCT>/<config_id>/<name>'],
  ],
];

test('invalid Remote Config requests are rejected with the path', () => {
  for (const [what, sample, mutate, errors] of INVALID_RC) {
    assert.deepEqual(validateRcClientRequest(mutate(clone(sample))), { ok: false, errors }, what);
  }
});

test('invalid Remote Config responses and targets are rejected with the path', () => {
  assert.deepEqual(validateRcResponse({ ...RC_RESPONSE_1, target_files: [{ path: PROBE_PATH }] }), { ok: false, errors: ['target_files[0].raw: is required'] });
  assert.deepEqual(validateRcResponse({ ...RC_RESPONSE_1, client_configs: ['datadog/x/LIVE_DEBUGGING/a/config'] }), {
    ok: false,
    errors: ['client_configs[0]: must be a config path datadog/<org_id>/<PRODUCT>/<config_id>/<name> or employee/<PRODUCT>/<config_id>/<name>'],
  });
  const t = clone(RC_TARGETS) as any;
  t.signed._type = 'root';
  t.signed.spec_version = '2.0';
  t.signed.targets[PROBE_PATH].hashes.sha256 = 'ABC';
  assert.deepEqual(validateRcTargets(t), {
    ok: false,
    errors: [
      'signed._type: must be "targets"',
      'signed.spec_version: must be one of "1.0", "1.0.0"',
      `signed.targets[${JSON.stringify(PROBE_PATH)}].hashes.sha256: must match pattern "^[0-9a-f]{64}$"`,
    ],
  });
});
