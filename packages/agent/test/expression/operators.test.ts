import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPRESSION_OPERATORS, validateProbe } from '@periscope/protocol';
import { compileExpression, parseDsl } from '../../src/expression/index.js';
import { OPERATORS } from '../../src/expression/operators.js';
import { CASES } from './conformance-cases.js';

// The protocol's JSON schema (used by the server to check probes) and the agent's compiler each
// list the operators; a probe one accepts and the other rejects would fail late, on an instance.
test('the protocol schema and the compiler know the same operators', () => {
  assert.deepEqual(Object.keys(EXPRESSION_OPERATORS).sort(), Object.keys(OPERATORS).sort());
});

test('every conformance expression that compiles also passes the protocol schema', () => {
  let checked = 0;
  for (const c of CASES) {
    let json: unknown;
    try {
      json = c.json !== undefined ? c.json : parseDsl(c.expr);
      compileExpression(json);
    } catch {
      continue;
    }
    const probe = { id: 'p', version: 0, type: 'LOG_PROBE', where: { sourceFile: 'a.js', lines: ['1'] }, when: { dsl: c.expr, json } };
    const result = validateProbe(probe);
    assert.ok(result.ok, `${JSON.stringify(c.expr)}: ${result.ok ? '' : result.errors.join('; ')}`);
    checked++;
  }
  assert.ok(checked > 150, `only ${checked} cases compiled`);
});
