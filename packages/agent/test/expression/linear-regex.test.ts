// In a process where the agent turned on V8's linear-time regex engine, catastrophic patterns
// run in linear time on any subject. Node runs each test file in its own process, so enabling
// it here does not leak into the other expression tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCondition, compilePattern, enableLinearRegexEngine } from '../../src/expression/index.js';
import { scopeOf } from './fixtures.js';

test('with the linear engine, ^(a+)+$ answers on a 100k-character subject', () => {
  assert.equal(enableLinearRegexEngine(), true);
  const cond = compileCondition({ matches: [{ ref: 'strValue' }, '^(a+)+$'] }, '');
  assert.equal(cond.test(scopeOf({ strValue: 'a'.repeat(100_000) + '!' })), false);
  assert.equal(cond.test(scopeOf({ strValue: 'a'.repeat(100_000) })), true);
  assert.equal(compilePattern('^(a+)+$').linear, true);
});

test('patterns the linear engine rejects fall back to the backtracking bound', () => {
  enableLinearRegexEngine();
  const backref = compilePattern('(a+)+\\1$');
  assert.equal(backref.linear, false);
  assert.equal(backref.test('aa'), true);
  assert.throws(() => backref.test('a'.repeat(1000) + '!'), (e: { message?: string }) => /too expensive/.test(e.message ?? ''));
  const lookahead = compilePattern('^(?=.*\\d)\\w+$');
  assert.equal(lookahead.linear, false);
  assert.equal(lookahead.test('abc1'), true);
});
