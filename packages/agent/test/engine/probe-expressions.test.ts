import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, eventsOf, logProbe, runApp, statusesOf } from '../helpers/run-app.js';

const PROBES = new URL('../../../../../conformance/system-tests-probes/probes/', import.meta.url);

/** A system-tests probe template, filled in the way the harness does, on line 5 of the fixture. */
function fromTemplate(file: string, id: string): Record<string, unknown> {
  const [probe] = JSON.parse(readFileSync(new URL(file, PROBES), 'utf8')) as Array<Record<string, unknown>>;
  return { ...probe, id, type: 'LOG_PROBE', language: 'javascript', where: { sourceFile: 'expr/app.js', lines: ['5'] } };
}

test('conditions, templates and capture expressions at a real line, with system-tests probe JSONs', async () => {
  const all = { sampling: { snapshotsPerSecond: 1e9 } };
  const run = await runApp({
    cwd: path.join(FIXTURES, 'engine/expr'),
    args: ['app.js'],
    preload: 'require',
    env: { PERISCOPE_GLOBAL_SNAPSHOTS_PER_SECOND: '1000' },
    probes: [
      fromTemplate('probe_invalid_condition_dsl.json', 'invalid'),
      fromTemplate('probe_runtime_condition_error.json', 'runtime-error'),
      { ...fromTemplate('probe_capture_expressions_line.json', 'expressions'), ...all },
      logProbe('when-3', 'expr/app.js', 5, {
        when: { dsl: 'inputValue == 3', json: { eq: [{ ref: 'inputValue' }, 3] } },
        captureSnapshot: true,
        ...all,
      }),
      // One failing capture expression hides none of the others; redacted roots keep name and type.
      logProbe('capture-mixed', 'expr/app.js', 5, {
        captureExpressions: [
          { name: 'before', expr: { dsl: 'inputValue', json: { ref: 'inputValue' } } },
          { name: 'broken', expr: { dsl: 'nope.x', json: { getmember: [{ ref: 'nope' }, 'x'] } } },
          { name: 'pw', expr: { dsl: 'password', json: { ref: 'password' } } },
          { name: 'tok', expr: { dsl: 'testStruct.token', json: { getmember: [{ ref: 'testStruct' }, 'token'] } } },
          { name: 'tokLen', expr: { dsl: 'len(testStruct.token)', json: { len: { getmember: [{ ref: 'testStruct' }, 'token'] } } } },
          { name: 'after', expr: { dsl: 'localValue', json: { ref: 'localValue' } } },
        ],
        ...all,
      }),
      // A compile error in a capture expression names it.
      logProbe('capture-bad', 'expr/app.js', 5, {
        captureExpressions: [
          { name: 'fine', expr: { dsl: 'inputValue', json: { ref: 'inputValue' } } },
          { name: 'broken', expr: { dsl: 'nope', json: { nope: [1] } } },
        ],
      }),
      // A condition cannot test a secret through a predicate binding.
      logProbe('guess', 'expr/app.js', 5, {
        when: {
          dsl: 'any(testStruct.creds, {startsWith(@it, "(map")})',
          json: { any: [{ getmember: [{ ref: 'testStruct' }, 'creds'] }, { startsWith: [{ ref: '@it' }, '(map'] }] },
        },
      }),
      logProbe('template', 'expr/app.js', 5, {
        template: 'in={inputValue} pw={password} bad={nope}',
        segments: [
          { str: 'in=' },
          { dsl: 'inputValue', json: { ref: 'inputValue' } },
          { str: ' pw=' },
          { dsl: 'password', json: { ref: 'password' } },
          { str: ' bad=' },
          { dsl: 'nope', json: { ref: 'nope' } },
        ],
        ...all,
      }),
    ],
  });
  assert.equal(run.code, 0, run.stderr);

  // A compile error is an ERROR status naming the node; the probe never fires.
  const invalid = statusesOf(run, 'invalid');
  assert.deepEqual(invalid.map((s) => s.status), ['RECEIVED', 'ERROR']);
  assert.match(invalid[1]!.message, /notARealOperator/);
  assert.equal(eventsOf(run, 'invalid').length, 0);

  // A condition that fails at runtime: one error event per window, no captured data.
  const errors = eventsOf(run, 'runtime-error');
  assert.equal(errors.length, 1);
  const snap = errors[0]!.debugger.snapshot;
  assert.equal(snap.captures, undefined);
  assert.equal(snap.evaluationErrors![0]!.expr, 'definitelyDoesNotExist == "never"');
  assert.match(snap.evaluationErrors![0]!.message, /definitelyDoesNotExist/);
  assert.deepEqual(statusesOf(run, 'runtime-error').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING']);
  // Its message describes the failure instead of repeating the unrendered template.
  assert.equal(errors[0]!.message, `Condition evaluation failed: ${snap.evaluationErrors![0]!.message}`);

  // A failing capture expression drops only its own entry; a redacted result is a redactedIdent node.
  const mixed = eventsOf(run, 'capture-mixed');
  assert.equal(mixed.length, 5);
  const m = mixed[1]!.debugger.snapshot;
  assert.deepEqual(m.captures!.lines!['5']!.captureExpressions, {
    before: { type: 'number', value: '2' },
    pw: { type: 'string', notCapturedReason: 'redactedIdent' },
    tok: { type: 'string', notCapturedReason: 'redactedIdent' },
    after: { type: 'number', value: '4' },
  });
  assert.deepEqual(m.evaluationErrors, [
    { expr: 'broken', message: 'ReferenceError: nope is not defined' },
    { expr: 'tokLen', message: 'Error: "token" is redacted' },
  ]);

  const bad = statusesOf(run, 'capture-bad');
  assert.deepEqual(bad.map((s) => s.status), ['RECEIVED', 'ERROR']);
  assert.match(bad[1]!.message, /unknown operator "nope" at captureExpressions\[1\]\.expr\.json/);
  assert.equal(eventsOf(run, 'capture-bad').length, 0);

  // Guessing a redacted Map value fails the condition with a "redacted" error and says nothing more.
  const guess = eventsOf(run, 'guess');
  assert.equal(guess.length, 1);
  assert.deepEqual(guess[0]!.debugger.snapshot.evaluationErrors, [
    { expr: 'any(testStruct.creds, {startsWith(@it, "(map")})', message: 'Error: "password" is redacted' },
  ]);
  assert.equal(guess[0]!.debugger.snapshot.captures, undefined);

  // No secret of the fixture leaves the process, in any event.
  const wire = JSON.stringify(run.events);
  for (const secret of ['hunter2', 'secret-token']) assert.ok(!wire.includes(secret), `${secret} leaked`);

  // Capture expressions, each with its own depth; redaction applies inside them.
  const exprs = eventsOf(run, 'expressions');
  assert.equal(exprs.length, 5);
  const ce = exprs[1]!.debugger.snapshot.captures!.lines!['5']!.captureExpressions!;
  assert.deepEqual(ce['inputValue'], { type: 'number', value: '2' });
  assert.deepEqual(ce['localValue'], { type: 'number', value: '4' });
  const struct = ce['testStruct']!;
  assert.equal(struct.fields!['nested']!.fields!['b']!.notCapturedReason, 'depth');
  assert.equal(struct.fields!['token']!.notCapturedReason, 'redactedIdent');

  // A condition: exactly the hit where it is true.
  const when = eventsOf(run, 'when-3');
  assert.equal(when.length, 1);
  assert.deepEqual(when[0]!.debugger.snapshot.captures!.lines!['5']!.arguments!['inputValue'], { type: 'number', value: '3' });
  assert.equal(when[0]!.debugger.snapshot.captures!.lines!['5']!.arguments!['password']!.notCapturedReason, 'redactedIdent');

  // Templates: values rendered, redacted values hidden, a failing segment marked, the rest kept.
  const tpl = eventsOf(run, 'template');
  assert.equal(tpl.length, 5);
  assert.match(tpl[0]!.message, /^in=1 pw=\{redacted\} bad=\{.*nope.*\}$/);
  assert.equal(tpl[0]!.debugger.snapshot.evaluationErrors![0]!.expr, 'nope');
});
