import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { test } from 'node:test';
import { compileCondition, compileExpression, NOT_FOUND, parseDsl, referencedNames, renderValue } from '../../src/expression/index.js';
import { fixture, scopeOf } from './fixtures.js';

test('patched built-ins are never called: the runtime uses intrinsics taken at load', () => {
  const calls: string[] = [];
  const vars = fixture(calls);
  const patches: Array<[object, string]> = [
    [String.prototype, 'startsWith'],
    [String.prototype, 'endsWith'],
    [String.prototype, 'includes'],
    [String.prototype, 'substring'],
    [Array.prototype, 'includes'],
    [Map.prototype, 'get'],
    [Map.prototype, 'has'],
    [Map.prototype, 'entries'],
    [Set.prototype, 'has'],
    [Set.prototype, 'values'],
    [RegExp.prototype, 'exec'],
    [RegExp.prototype, 'test'],
    [Function.prototype, 'call'],
    [Function.prototype, 'apply'],
    [Array.prototype, 'push'],
    [Array.prototype, 'join'],
    [Array.prototype, Symbol.iterator as unknown as string],
  ];
  const saved = patches.map(([proto, key]) => Object.getOwnPropertyDescriptor(proto, key)!);
  const exprs = [
    'startsWith(s, "he") && endsWith(s, "lo") && contains(s, "ell") && substring(s, 0, 1) == "h"',
    'contains(arr, 2) && map["k"] == 1 && contains(map, "j") && contains(set, "a")',
    'any(map, {@value == 2}) && any(set, {@it == 1}) && matches(s, "l+") && matches(s, re) == false',
  ].map((t) => compileCondition(parseDsl(t), t));
  try {
    for (let i = 0; i < patches.length; i++) {
      const key = String(patches[i]![1]);
      Object.defineProperty(patches[i]![0], patches[i]![1], { value: () => calls.push(`patched ${key}`), configurable: true, writable: true });
    }
    const results: unknown[] = [];
    for (let i = 0; i < exprs.length; i++) results[i] = exprs[i]!.test(scopeOf(vars));
    results[3] = renderValue(vars['map']) + renderValue(vars['obj']) + renderValue(vars['re']);
    for (let i = 0; i < patches.length; i++) Object.defineProperty(patches[i]![0], patches[i]![1], saved[i]!);
    assert.deepEqual(results, [true, true, true, "Map(2) { 'k' => 1, 'j' => 2 }{ a: 1, b: [Object], 'x-y': 3 }/b+/"]);
  } finally {
    for (const [i, [proto, key]] of patches.entries()) Object.defineProperty(proto, key, saved[i]!);
  }
  assert.deepEqual(calls, []);
});

test('referencedNames lists frame variables, not specials or literals', () => {
  const json = parseDsl('user.id == 42 && any(items, {@it.price > limit}) && this.x && @return != undefined && instanceof(e, MyError) && instanceof(e, "string") && map[key]');
  assert.deepEqual([...referencedNames(json)].sort(), ['MyError', 'e', 'items', 'key', 'limit', 'map', 'user']);
  assert.deepEqual([...referencedNames({ getmember: [{ ref: 'a' }, 'notAVariable'] })], ['a']);
  assert.deepEqual([...referencedNames({ bogus: [{ ref: 'x' }, 3] })], ['x']);
  assert.deepEqual([...referencedNames('literal')], []);
});

test('a lookup that throws (temporal dead zone) is a ReferenceError', () => {
  const expr = compileExpression({ ref: 'late' }, 'late');
  const scope = {
    lookup(name: string) {
      if (name === 'late') return lateValue; // eslint-disable-line @typescript-eslint/no-use-before-define
      return NOT_FOUND;
    },
  };
  assert.throws(() => expr.evaluate(scope), { message: "ReferenceError: Cannot access 'lateValue' before initialization" });
  const lateValue = 1;
  assert.equal(expr.evaluate(scope), 1);
  assert.equal(compileExpression({ isDefined: { ref: 'missing' } }).evaluate({ lookup: () => NOT_FOUND }), false);
});

test('evaluates inside a real non-pausing V8 breakpoint condition', () => {
  const cond = compileCondition(parseDsl('len(items) > 2 && any(items, {@it.name == "b"}) && matches(label, "^ok")'), '');
  const results: unknown[] = [];
  const key = Symbol.for('periscope.test.expression');
  (globalThis as Record<symbol, unknown>)[key] = (lookup: (n: string) => unknown) => {
    try {
      results.push(cond.test({ lookup }));
    } catch (e) {
      results.push(e instanceof Error ? e.message : e);
    }
    return false;
  };
  function target(items: unknown[], label: string): number {
    const n = items.length;
    return n + label.length;
  }
  const session = new Session();
  session.connect();
  try {
    session.post('Debugger.enable');
    // Break on `const n = items.length;`, found by its text in this compiled file.
    const lineNumber = readFileSync(new URL(import.meta.url), 'utf8').split('\n').findIndex((l) => l.includes('const n = items.length;'));
    const condition = `globalThis[Symbol.for('periscope.test.expression')]((n) => { switch (n) { case 'items': return items; case 'label': return label; default: return undefined } })`;
    session.post('Debugger.setBreakpointByUrl', { url: import.meta.url, lineNumber, condition }, (err) => assert.equal(err, null));
    target([{ name: 'a' }, { name: 'b' }, { name: 'c' }], 'ok!');
    target([{ name: 'a' }], 'ok');
  } finally {
    session.disconnect();
    delete (globalThis as Record<symbol, unknown>)[key];
  }
  assert.deepEqual(results, [true, false]);
});

