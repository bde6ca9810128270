// Bounded cost: deadlines in loops and the backtracking bound of `matches` (without the linear
// engine; linear-regex.test.ts covers the process where it is enabled).
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import {
  ExpressionEvaluationError,
  analyzePattern,
  compileCondition,
  compileExpression,
  compilePattern,
  linearRegexEngineAvailable,
  parseDsl,
} from '../../src/expression/index.js';
import { scopeOf } from './fixtures.js';

function expectTimeout(fn: () => unknown): ExpressionEvaluationError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ExpressionEvaluationError, String(caught));
  assert.equal(caught.kind, 'timeout');
  return caught;
}

test('filter over a huge collection stops at the deadline (the probe_evaluation_timeout_collection_filter condition)', () => {
  const json = { gt: [{ len: { filter: [{ ref: 'largeCollection' }, { ge: [{ ref: '@it' }, 0] }] } }, 0] };
  const cond = compileCondition(json, 'largeCollection.filter(@it >= 0).length > 0');
  const largeCollection = Array.from({ length: 10_000 }, (_, i) => i);
  assert.equal(cond.test(scopeOf({ largeCollection })), true);
  const start = performance.now();
  const e = expectTimeout(() => cond.test(scopeOf({ largeCollection }, { deadline: start - 1, budgetMs: 50 })));
  assert.match(e.message, /^Error: Evaluation exceeded budget: \d+\.\dms > 50ms$/);
  assert.equal(e.expr, 'largeCollection.filter(@it >= 0).length > 0');
});

test('nested iteration, Sets, Maps and objects all honour the deadline', () => {
  const big = Array.from({ length: 600 }, (_, i) => i);
  const vars = {
    big,
    set: new Set(big),
    map: new Map(big.map((i) => [i, i])),
    obj: Object.fromEntries(big.map((i) => [`k${i}`, i])),
  };
  for (const text of ['any(big, {any(big, {@it < 0})})', 'all(set, {@it >= 0})', 'filter(map, {true})', 'any(obj, {false})']) {
    expectTimeout(() => compileExpression(parseDsl(text), text).evaluate(scopeOf(vars, { deadline: 0 })));
  }
});

test('without a deadline in the scope the default budget still applies', () => {
  const big = Array.from({ length: 3000 }, (_, i) => i);
  // 9 million predicate calls: far over 50 ms.
  const e = expectTimeout(() => compileExpression(parseDsl('any(big, {any(big, {@it < 0})})')).evaluate(scopeOf({ big })));
  assert.match(e.message, /> 50ms$/);
});

test('the pattern scan classifies catastrophic and polynomial patterns', () => {
  assert.deepEqual(analyzePattern('^(a+)+$'), { exponential: true, unboundedQuantifiers: 2, anchored: true });
  assert.equal(analyzePattern('(a|aa)*b').exponential, true);
  assert.equal(analyzePattern('(x)\\1').exponential, true);
  assert.equal(analyzePattern('(?<n>a)\\k<n>').exponential, true);
  assert.deepEqual(analyzePattern('^/api/v[0-9]/'), { exponential: false, unboundedQuantifiers: 0, anchored: true });
  assert.deepEqual(analyzePattern('[a-z]+@[a-z]+\\.com'), { exponential: false, unboundedQuantifiers: 2, anchored: false });
  assert.deepEqual(analyzePattern('(ab){2}c{1,3}'), { exponential: false, unboundedQuantifiers: 0, anchored: false });
  assert.equal(analyzePattern('[(+*]+').exponential, false);
  assert.equal(analyzePattern('\\(a+\\)+').exponential, false);
});

test('a catastrophic regex is refused on a long subject instead of hanging (probe_evaluation_timeout_regex)', { skip: linearRegexEngineAvailable() }, () => {
  const cond = compileCondition({ matches: [{ ref: 'strValue' }, '^(a+)+$'] }, 'strValue.matches("^(a+)+$")');
  assert.equal(cond.test(scopeOf({ strValue: 'aaaa' })), true);
  assert.equal(cond.test(scopeOf({ strValue: 'aaaa!' })), false);
  assert.throws(
    () => cond.test(scopeOf({ strValue: 'a'.repeat(5000) + '!' })),
    (e: unknown) => e instanceof ExpressionEvaluationError && /too expensive to run on a 5001-character string/.test(e.message),
  );
});

test('safe patterns run on long subjects', { skip: linearRegexEngineAvailable() }, () => {
  const long = 'x'.repeat(100_000) + '/api/';
  assert.equal(compilePattern('/api/').test(long), true);
  assert.equal(compilePattern('^/api/').test(long), false);
  assert.equal(compilePattern('^\\d+$').test('1'.repeat(100_000)), true);
  assert.equal(compilePattern('^[a-z]+@[a-z]+$').linear, false);
  assert.throws(() => compilePattern('[a-z]+@[a-z]+\\.com').test('a'.repeat(1000)), (e: { message?: string }) => /too expensive/.test(e.message ?? ''));
});
