/**
 * The probe schema against the system-tests probe templates and Remote Config vectors
 * (conformance/system-tests-probes/), the reference's examples, a table of invalid probes, and
 * parseProbe: where both judge a probe, they must agree, and the places where the schema is
 * deliberately stricter are listed so that a change on either side is noticed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseProbe, validateProbe, validateProbeFile } from '../src/index.js';

const CONFORMANCE = new URL('../../../../conformance/system-tests-probes/', import.meta.url);
const PROBES_DIR = new URL('probes/', CONFORMANCE);

function readJson(url: URL): unknown {
  return JSON.parse(readFileSync(url, 'utf8')) as unknown;
}

/**
 * What the system-tests harness does to a template before sending it (probes.md intro): fill
 * `id` and `type`, replace the placeholders, and rewrite the placeholder line "0".
 */
function fillTemplate(raw: Record<string, unknown>, index: number, file: string): Record<string, unknown> {
  const text = JSON.stringify(raw)
    .replaceAll('"ACTUAL_SOURCE_FILE"', '"debugger/index.js"')
    .replaceAll('"ACTUAL_TYPE_NAME"', '"DebuggerController"')
    .replaceAll('"ACTUAL_LINE"', '"42"');
  const probe = JSON.parse(text) as Record<string, unknown>;
  const where = probe['where'] as Record<string, unknown>;
  if (Array.isArray(where['lines']) && where['lines'][0] === '0') where['lines'] = ['42'];
  probe['id'] = `${file.replace('.json', '')}-${index}`;
  probe['type'] = 'decorations' in probe ? 'SPAN_DECORATION_PROBE' : 'metricName' in probe ? 'METRIC_PROBE' : 'LOG_PROBE';
  return probe;
}

const templates = readdirSync(PROBES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((file) => (readJson(new URL(file, PROBES_DIR)) as Array<Record<string, unknown>>).map((raw, i) => ({ file, probe: fillTemplate(raw, i, file) })));

test('the conformance folder has the 23 probe templates', () => {
  assert.equal(new Set(templates.map((t) => t.file)).size, 23);
});

test('every filled system-tests probe template validates and parses, except the invalid-condition one', () => {
  for (const { file, probe } of templates) {
    if (file === 'probe_invalid_condition_dsl.json') continue;
    const r = validateProbe(probe);
    assert.ok(r.ok, `${file}: ${r.ok ? '' : r.errors.join('; ')}`);
    assert.doesNotThrow(() => parseProbe(probe), file);
  }
});

test('probe_invalid_condition_dsl.json: the unknown operator is rejected, naming when.json', () => {
  // probes.md §3: installation must end in ERROR. parseProbe does not look inside expressions (the
  // agent's expression compiler reports it as an ERROR status); the schema catches it up front.
  const t = templates.find((x) => x.file === 'probe_invalid_condition_dsl.json');
  assert.ok(t);
  const r = validateProbe(t.probe);
  assert.deepEqual(r, { ok: false, errors: ['when.json: unknown operator "notARealOperator"'] });
});

test('the templates as shipped (empty id and type) are rejected: the harness must fill them', () => {
  const raw = (readJson(new URL('probe_status_log_line.json', PROBES_DIR)) as unknown[])[0];
  const r = validateProbe(raw);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.errors.includes('id: must NOT have fewer than 1 characters'), JSON.stringify(r));
  assert.ok(!r.ok && r.errors.some((e) => e.startsWith('type: must be one of "LOG_PROBE"')), JSON.stringify(r));
  assert.throws(() => parseProbe(raw), /no "id"/);
});

test('the placeholder line "0" is not a valid line for the schema or for parseProbe', () => {
  const raw = (readJson(new URL('probe_snapshot_default_capture_limits.json', PROBES_DIR)) as Array<Record<string, unknown>>)[0]!;
  const probe = { ...raw, id: 'p', type: 'LOG_PROBE', where: { ...(raw['where'] as object), sourceFile: 'a.js', lines: ['0'] } };
  const r = validateProbe(probe);
  assert.deepEqual(r, { ok: false, errors: ['where.lines[0]: must be a positive integer, as a number or a string of digits'] });
  assert.throws(() => parseProbe(probe), /Invalid line "0"/);
});

test('Remote Config vectors: unknown keys are ignored; a metric value without "json" is rejected by both', () => {
  const sets = readJson(new URL('remote_config/rc_mocked_responses_live_debugging.json', CONFORMANCE)) as Array<Array<Record<string, unknown>>>;
  let accepted = 0;
  let rejected = 0;
  for (const probe of sets.flat()) {
    const r = validateProbe(probe);
    let parsed = true;
    try {
      parseProbe(probe);
    } catch {
      parsed = false;
    }
    assert.equal(r.ok, parsed, `${String(probe['id'])}: schema ${JSON.stringify(r)} vs parseProbe ${parsed}`);
    if (r.ok) accepted++;
    else {
      // {"expr": "#localVar1.field1.field2"} is an old expression form, not {"dsl","json"}.
      assert.equal(probe['type'], 'METRIC_PROBE');
      assert.deepEqual(r.errors, ['value.json: is required']);
      rejected++;
    }
  }
  assert.ok(accepted >= 5 && rejected >= 5, `${accepted} accepted, ${rejected} rejected`);
});

/** The examples printed in probes.md §2, §4, §5, §6 and remote-config.md §8, with the fields the fragments leave out. */
const REFERENCE_PROBES: Array<Record<string, unknown>> = [
  {
    id: '9f0c8c1e-3b7a-4d2a-9a35-2f6f5c1d7e11', version: 0, type: 'LOG_PROBE', language: 'javascript',
    where: { sourceFile: 'src/routes/users.ts', lines: ['42'] }, tags: [], template: 'Loaded user {user.id}',
    segments: [{ str: 'Loaded user ' }, { dsl: 'user.id', json: { getmember: [{ ref: 'user' }, 'id'] } }], captureSnapshot: false,
  },
  {
    id: 'm1', type: 'METRIC_PROBE', kind: 'COUNT', metricName: 'checkout.cart_items',
    value: { dsl: 'len(cart.items)', json: { len: { getmember: [{ ref: 'cart' }, 'items'] } } },
    where: { sourceFile: 'src/cart.ts', lines: ['88'] },
  },
  { id: 's1', type: 'SPAN_PROBE', where: { typeName: 'PaymentService', methodName: 'charge' }, when: null },
  {
    id: 'd1', type: 'SPAN_DECORATION_PROBE', targetSpan: 'ACTIVE',
    decorations: [{
      when: { dsl: 'intLocal > intArg', json: { gt: [{ ref: 'intLocal' }, { ref: 'intArg' }] } },
      tags: [{ name: 'order.total', value: { template: '{order.total}', segments: [{ dsl: 'order.total', json: { getmember: [{ ref: 'order' }, 'total'] } }] } }],
    }],
    where: { sourceFile: 'src/orders.ts', lines: ['44'] },
  },
  {
    id: 'mp', type: 'LOG_PROBE', where: { typeName: 'UserController', methodName: 'getUser', signature: '(req, res)', sourceFile: null },
    evaluateAt: 'EXIT', captureSnapshot: true,
    when: { dsl: '@duration > 10 || @exception != null', json: { or: [{ gt: [{ ref: '@duration' }, 10] }, { ne: [{ ref: '@exception' }, null] }] } },
  },
  {
    // Every operator of expression-language.md §1.2 once, and integer lines.
    id: 'ops', type: 'LOG_PROBE', where: { sourceFile: 'a.js', lines: [7] }, sampling: { snapshotsPerSecond: 0.5 },
    captureExpressions: [{ name: 'x', expr: { dsl: '', json: { ref: 'x' } }, capture: { maxReferenceDepth: 1 } }],
    when: {
      dsl: '',
      json: {
        and: [
          { any: [{ ref: 'tags' }, { eq: [{ ref: '@it' }, 'beta'] }] },
          { all: [{ ref: 'm' }, { isDefined: { ref: '@value' } }] },
          { gt: [{ len: { filter: [{ ref: 'l' }, { startsWith: [{ ref: '@it' }, 'a'] }] } }, 0] },
          { or: [{ endsWith: ['x', 'y'] }, { contains: [{ ref: 's' }, 'q'] }, { matches: [{ ref: 'p' }, '^/api/'] }] },
          { not: { isEmpty: { index: [{ ref: 'h' }, 'Host'] } } },
          { isUndefined: { ref: 'z' } },
          { ne: [{ count: { ref: 'c' } }, 1] },
          { le: [1, 2] }, { lt: [1, 2] }, { ge: [2, 1] },
          { instanceof: [{ ref: 'err' }, 'TypeError'] },
          { eq: [{ substring: [{ ref: 'code' }, 0, 3] }, 'ERR'] },
          { eq: [{ substring: [{ ref: 'code' }, 1] }, 'RR'] },
          true,
        ],
      },
    },
  },
];

test('the reference examples validate, alone and as a probe file, and parse', () => {
  for (const p of REFERENCE_PROBES) {
    const r = validateProbe(p);
    assert.ok(r.ok, `${String(p['id'])}: ${r.ok ? '' : r.errors.join('; ')}`);
    assert.doesNotThrow(() => parseProbe(p));
  }
  const file = validateProbeFile(REFERENCE_PROBES);
  assert.ok(file.ok);
  assert.equal(file.value, REFERENCE_PROBES);
});

const base = { id: 'p1', version: 1, type: 'LOG_PROBE', where: { sourceFile: 'src/a.ts', lines: ['10'] } };
const withWhen = (json: unknown) => ({ ...base, when: { dsl: '', json } });

/** Invalid probes both sides reject: [description, probe, the schema's messages]. */
const INVALID: Array<[string, unknown, string[]]> = [
  ['not an object', [base], ['(root): must be object']],
  ['no id', { ...base, id: undefined }, ['id: is required']],
  ['unknown type', { ...base, type: 'TRIGGER_PROBE' }, ['type: must be one of "LOG_PROBE", "METRIC_PROBE", "SPAN_PROBE", "SPAN_DECORATION_PROBE"']],
  ['no where', { ...base, where: undefined }, ['where: is required']],
  ['no lines and no method', { ...base, where: { sourceFile: 'a.js' } }, ['where: a location needs "lines" (line probe) or "methodName" (method probe)']],
  ['line without sourceFile', { ...base, where: { lines: ['3'] } }, ['where.sourceFile: is required']],
  ['null sourceFile on a line probe', { ...base, where: { sourceFile: null, lines: ['3'] } }, ['where.sourceFile: a line probe needs a non-empty sourceFile']],
  ['negative line', { ...base, where: { sourceFile: 'a.js', lines: [-2] } }, ['where.lines[0]: must be a positive integer, as a number or a string of digits']],
  ['line text', { ...base, where: { sourceFile: 'a.js', lines: ['12a'] } }, ['where.lines[0]: must be a positive integer, as a number or a string of digits']],
  ['when without json', { ...base, when: { dsl: 'x' } }, ['when.json: is required']],
  ['when is a string', { ...base, when: 'x > 1' }, ['when: must be object']],
  ['segment without str or json', { ...base, segments: [{ str: 'a' }, { dsl: 'x' }] }, ['segments[1].json: is required']],
  ['negative capture limit', { ...base, capture: { maxReferenceDepth: -1 } }, ['capture.maxReferenceDepth: must be a non-negative integer']],
  ['fractional capture limit', { ...base, capture: { maxLength: 2.5 } }, ['capture.maxLength: must be a non-negative integer']],
  ['zero sampling', { ...base, sampling: { snapshotsPerSecond: 0 } }, ['sampling.snapshotsPerSecond: must be a positive number']],
  ['capture expression without name', { ...base, captureExpressions: [{ expr: { json: { ref: 'a' } } }] }, ['captureExpressions[0].name: is required']],
  ['capture expression without expr', { ...base, captureExpressions: [{ name: 'a' }] }, ['captureExpressions[0].expr: is required']],
  ['captureExpressions not an array', { ...base, captureExpressions: {} }, ['captureExpressions: must be array or null']],
  [
    'snapshot and capture expressions together',
    { ...base, captureSnapshot: true, captureExpressions: [{ name: 'a', expr: { json: { ref: 'a' } } }] },
    ['(root): Cannot set both captureSnapshot and captureExpressions'],
  ],
  ['metric without kind', { ...base, type: 'METRIC_PROBE', metricName: 'm' }, ['kind: is required']],
  ['metric kind unknown', { ...base, type: 'METRIC_PROBE', kind: 'RATE', metricName: 'm' }, ['kind: must be one of "COUNT", "GAUGE", "HISTOGRAM", "DISTRIBUTION"']],
  ['metric without name', { ...base, type: 'METRIC_PROBE', kind: 'COUNT', metricName: '' }, ['metricName: must NOT have fewer than 1 characters']],
  [
    'decoration tag without name',
    { ...base, type: 'SPAN_DECORATION_PROBE', decorations: [{ tags: [{ value: { template: 'x' } }] }] },
    ['decorations[0].tags[0].name: is required'],
  ],
];

test('invalid probes: the schema names the bad path, and parseProbe rejects them too', () => {
  for (const [what, probe, errors] of INVALID) {
    assert.deepEqual(validateProbe(probe), { ok: false, errors }, what);
    assert.throws(() => parseProbe(probe), what);
  }
});

/**
 * Where the schema is stricter than parseProbe, which is lenient by design (probes.md §7) or
 * defers to the agent's expression compiler. Each row: [description, probe, schema messages].
 * parseProbe accepts all of these today; if that changes, this table should shrink.
 */
const SCHEMA_ONLY: Array<[string, unknown, string[]]> = [
  ['unknown operator', withWhen({ foo: [1] }), ['when.json: unknown operator "foo"']],
  ['two keys in an operator node', withWhen({ eq: [1, 1], ne: [1, 2] }), ['when.json: an operator node must have exactly one key']],
  ['wrong arity', withWhen({ eq: [1] }), ['when.json.eq: must be an array of 2 operands']],
  ['array literal', withWhen({ contains: [{ ref: 'a' }, [1, 2]] }), ['when.json.contains[1]: must be a literal (string, number, boolean, null) or an operator object; arrays are not valid here']],
  ['getmember with a computed name', withWhen({ getmember: [{ ref: 'a' }, { ref: 'b' }] }), ['when.json.getmember[1]: must be a literal property name string']],
  ['empty ref', withWhen({ ref: '' }), ['when.json.ref: must be a non-empty variable name string']],
  ['substring with 4 operands', withWhen({ substring: ['a', 0, 1, 2] }), ['when.json.substring: must be an array of 2 or 3 operands']],
  ['bad segment expression', { ...base, segments: [{ dsl: 'x', json: { nope: 1 } }] }, ['segments[0].json: unknown operator "nope"']],
  ['bad capture expression', { ...base, captureExpressions: [{ name: 'a', expr: { json: { len: [1] } } }] }, ['captureExpressions[0].expr.json.len: must be a literal (string, number, boolean, null) or an operator object; arrays are not valid here']],
  ['non-string tag', { ...base, tags: ['env:prod', 3] }, ['tags[1]: must be string']],
  ['unknown evaluateAt', { ...base, evaluateAt: 'LATER' }, ['evaluateAt: must be one of "ENTRY", "EXIT", "DEFAULT", null']],
  ['fractional version', { ...base, version: 1.5 }, ['version: must be integer']],
  ['non-boolean captureSnapshot', { ...base, captureSnapshot: 'yes' }, ['captureSnapshot: must be boolean']],
  ['a later line is invalid', { ...base, where: { sourceFile: 'a.js', lines: ['3', 'x'] } }, ['where.lines[1]: must be a positive integer, as a number or a string of digits']],
  ['sampling is not an object', { ...base, sampling: 5 }, ['sampling: must be object or null']],
  ['unknown targetSpan', { ...base, type: 'SPAN_DECORATION_PROBE', targetSpan: 'PARENT' }, ['targetSpan: must be one of "ACTIVE", "ROOT"']],
];

test('probes only the schema rejects (parseProbe is lenient or defers to the expression compiler)', () => {
  for (const [what, probe, errors] of SCHEMA_ONLY) {
    assert.deepEqual(validateProbe(probe), { ok: false, errors }, what);
    assert.doesNotThrow(() => parseProbe(probe), what);
  }
});

test('many errors are all reported, each once, with its own path', () => {
  const r = validateProbe({
    id: 'p', type: 'LOG_PROBE', where: { sourceFile: 'a.js', lines: ['1'] },
    capture: { maxReferenceDepth: -1, maxCollectionSize: -1 }, sampling: { snapshotsPerSecond: -1 }, when: { json: { eq: [1] } },
  });
  assert.deepEqual(r, {
    ok: false,
    errors: [
      'capture.maxReferenceDepth: must be a non-negative integer',
      'capture.maxCollectionSize: must be a non-negative integer',
      'sampling.snapshotsPerSecond: must be a positive number',
      'when.json.eq: must be an array of 2 operands',
    ],
  });
});
