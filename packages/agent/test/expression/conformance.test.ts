import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import {
  ExpressionCompileError,
  ExpressionEvaluationError,
  compileCondition,
  compileExpression,
  compileTemplate,
  parseDsl,
} from '../../src/expression/index.js';
import { CASES } from './conformance-cases.js';
import { PRODUCTION_REDACTION, TEST_REDACTION, fixture, scopeOf } from './fixtures.js';

test('the conformance table has at least 200 cases', () => {
  assert.ok(CASES.length >= 200, `only ${CASES.length} cases`);
});

for (const [i, c] of CASES.entries()) {
  test(`#${i} ${c.expr}`, () => {
    const calls: string[] = [];
    const vars = fixture(calls);
    const json = c.json !== undefined ? c.json : parseDsl(c.expr);
    const redaction = c.redact === true ? TEST_REDACTION : c.redact === 'production' ? PRODUCTION_REDACTION : undefined;
    const options = { redaction };
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
    const secret = c.secret;
    const hide = (what: string, text: string): void => {
      if (secret !== undefined) assert.ok(!text.includes(secret), `the secret appears in the ${what}: ${text}`);
    };
    if ('value' in expect) {
      const v = run();
      assert.deepStrictEqual(v, expect.value);
      hide('result', inspect(v, { showHidden: true, depth: Infinity }));
    } else {
      assert.throws(run, (e: unknown) => {
        assert.ok(e instanceof ExpressionEvaluationError, `expected an evaluation error, got ${String(e)}`);
        assert.equal(e.expr, c.expr);
        if (typeof expect.error === 'string') assert.equal(e.message, expect.error);
        else assert.match(e.message, expect.error);
        hide('error', e.message); // `expr` is the probe's own text, which may quote the guess
        return true;
      });
    }
    if (secret !== undefined) {
      // The same expression as a log-template segment: neither the message nor its errors show it.
      const out = compileTemplate([{ str: 'v=' }, { expr: { dsl: c.expr, json } }], '', options).render(scope);
      hide('message', out.message);
      hide('evaluation errors', JSON.stringify(out.errors.map((x) => x.message)));
    }
    assert.deepStrictEqual(calls, [], 'user code ran');
  });
}
