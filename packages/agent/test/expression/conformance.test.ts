import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ExpressionCompileError,
  ExpressionEvaluationError,
  compileCondition,
  compileExpression,
  parseDsl,
} from '../../src/expression/index.js';
import { CASES } from './conformance-cases.js';
import { TEST_REDACTION, fixture, scopeOf } from './fixtures.js';

test('the conformance table has at least 200 cases', () => {
  assert.ok(CASES.length >= 200, `only ${CASES.length} cases`);
});

for (const [i, c] of CASES.entries()) {
  test(`#${i} ${c.expr}`, () => {
    const calls: string[] = [];
    const vars = fixture(calls);
    const json = c.json !== undefined ? c.json : parseDsl(c.expr);
    const options = { redaction: c.redact === true ? TEST_REDACTION : undefined };
    const expect = c.expect;
    if ('compileError' in expect) {
      assert.throws(() => compileExpression(json, c.expr, options), (e: unknown) => {
        assert.ok(e instanceof ExpressionCompileError);
        assert.match(e.message, expect.compileError);
        return true;
      });
      return;
    }
    const scope = scopeOf(vars, c.scope);
    const run = c.condition === true ? () => compileCondition(json, c.expr, options).test(scope) : () => compileExpression(json, c.expr, options).evaluate(scope);
    if ('value' in expect) {
      assert.deepStrictEqual(run(), expect.value);
    } else {
      assert.throws(run, (e: unknown) => {
        assert.ok(e instanceof ExpressionEvaluationError, `expected an evaluation error, got ${String(e)}`);
        assert.equal(e.expr, c.expr);
        if (typeof expect.error === 'string') assert.equal(e.message, expect.error);
        else assert.match(e.message, expect.error);
        return true;
      });
    }
    assert.deepStrictEqual(calls, [], 'user code ran');
  });
}
