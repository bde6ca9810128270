// Redaction failures carry the redacted value's type only when that value is the expression's own
// result, so a capture expression can report `{type, notCapturedReason}` as for a variable; an
// intermediate redacted value stays an evaluation error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExpressionEvaluationError, compileExpression, parseDsl } from '../../src/expression/index.js';
import { PRODUCTION_REDACTION, TEST_REDACTION, fixture, scopeOf } from './fixtures.js';

function failureOf(dsl: string, redaction = TEST_REDACTION): ExpressionEvaluationError {
  const calls: string[] = [];
  try {
    compileExpression(parseDsl(dsl), dsl, { redaction }).evaluate(scopeOf(fixture(calls)));
  } catch (e) {
    assert.ok(e instanceof ExpressionEvaluationError);
    assert.deepEqual(calls, []);
    return e;
  }
  assert.fail(`${dsl} evaluated`);
}

test('a redacted root reports the kind and the type of the hidden value', () => {
  const table: Array<[string, string, string]> = [
    ['password', 'redactedIdent', 'string'],
    ['creds.password', 'redactedIdent', 'string'],
    ['creds["token"]', 'redactedIdent', 'string'],
    ['credMap["password"]', 'redactedIdent', 'string'],
    ['symCredMap[passwordSym]', 'redactedIdent', 'string'],
    ['box', 'redactedType', 'SecretBox'],
    ['boxHolder.box', 'redactedType', 'SecretBox'],
    ['secretList[0]', 'redactedType', 'SecretBox'],
  ];
  for (const [dsl, kind, type] of table) {
    const e = failureOf(dsl);
    assert.equal(e.kind, kind, dsl);
    assert.equal(e.valueType, type, dsl);
  }
});

test('a redacted accessor at the root is not called to learn its type', () => {
  const calls: string[] = [];
  const vars = { holder: Object.defineProperty({}, 'password', { get: () => calls.push('getter'), enumerable: true }) };
  for (const dsl of ['holder.password', 'holder["password"]']) {
    assert.throws(
      () => compileExpression(parseDsl(dsl), dsl, { redaction: PRODUCTION_REDACTION }).evaluate(scopeOf(vars)),
      (e: unknown) => e instanceof ExpressionEvaluationError && e.kind === 'redactedIdent' && e.valueType === 'unknown',
    );
  }
  assert.deepEqual(calls, []);
});

test('redaction of an intermediate value is an error without a type', () => {
  for (const dsl of ['len(password)', 'creds.password.length', 'box.inner', 'isEmpty(credMap["password"])', 'any(credMap, {@value == "x"})']) {
    const e = failureOf(dsl);
    assert.match(e.message, /redacted/, dsl);
    assert.equal(e.valueType, undefined, dsl);
  }
});

test('a redacted root that is not in scope is a ReferenceError, not a redacted value', () => {
  const e = failureOf('token', PRODUCTION_REDACTION);
  assert.equal(e.message, 'ReferenceError: token is not defined');
  assert.equal(e.kind, 'error');
});
