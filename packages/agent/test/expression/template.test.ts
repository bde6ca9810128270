import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_MESSAGE_CHARS } from '@periscope/protocol';
import { ExpressionCompileError, capMessage, compileTemplate, parseDsl, renderValue } from '../../src/expression/index.js';
import { truncateMessage } from '../../src/capture/index.js';
import { Foo, TEST_REDACTION, fixture, scopeOf } from './fixtures.js';

function seg(dsl: string) {
  return { expr: { dsl, json: parseDsl(dsl) } };
}

test('literal and expression segments; a failing segment renders a marker and the rest still renders', () => {
  const calls: string[] = [];
  const t = compileTemplate([{ str: 'User ' }, seg('user.id'), { str: ' has ' }, seg('len(user.tags)'), { str: ' tags, ' }, seg('nope'), { str: '!' }], '');
  assert.equal(t.isConstant, false);
  const out = t.render(scopeOf(fixture(calls)));
  assert.equal(out.message, 'User 42 has 2 tags, {ReferenceError: nope is not defined}!');
  assert.deepEqual(out.errors, [{ expr: 'nope', message: 'ReferenceError: nope is not defined' }]);
  assert.deepEqual(calls, []);
});

test('an empty segment list uses the template verbatim', () => {
  const t = compileTemplate([], 'plain {text}');
  assert.equal(t.isConstant, true);
  assert.deepEqual(t.render(scopeOf({})), { message: 'plain {text}', errors: [] });
});

test('a bad segment is a compile error naming the segment', () => {
  assert.throws(
    () => compileTemplate([{ str: 'a' }, { expr: { dsl: 'x', json: { nope: 1 } } }], '', { path: 'segments' }),
    (e: unknown) => e instanceof ExpressionCompileError && e.message === 'Cannot compile expression: unknown operator "nope" at segments[1].json',
  );
});

test('redacted names, keys and types render as {redacted} without an error', () => {
  const calls: string[] = [];
  const t = compileTemplate(
    [seg('password'), { str: ' ' }, seg('creds.password'), { str: ' ' }, seg('creds["token"]'), { str: ' ' }, seg('box'), { str: ' ' }, seg('creds'), { str: ' ' }, seg('credMap'), { str: ' ' }, seg('boxHolder')],
    '',
    { redaction: TEST_REDACTION },
  );
  const out = t.render(scopeOf(fixture(calls)));
  assert.equal(
    out.message,
    "{redacted} {redacted} {redacted} {redacted} { password: {redacted}, token: {redacted}, ok: 1 } Map(2) { 'password' => {redacted}, 'ok' => 'y' } { box: {redacted}, n: 1 }",
  );
  assert.ok(!out.message.includes('hunter2') && !out.message.includes('classified'));
  assert.deepEqual(out.errors, []);
});

test('values render compactly, like util.inspect at depth 0', () => {
  const calls: string[] = [];
  const v = fixture(calls);
  const table: Array<[unknown, string]> = [
    ['as is', 'as is'],
    [42, '42'],
    [1.5, '1.5'],
    [-0, '-0'],
    [10n, '10n'],
    [true, 'true'],
    [null, 'null'],
    [undefined, 'undefined'],
    [Symbol('t'), 'Symbol(t)'],
    [[1, 2, 3, 4, 5], '[ 1, 2, 3, ... 2 more items ]'],
    [[], '[]'],
    [['a', [1]], "[ 'a', [Array] ]"],
    [{ a: 1, b: { c: 2 } }, '{ a: 1, b: [Object] }'],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 }, '{ a: 1, b: 2, c: 3, d: 4, e: 5, ... 2 more properties }'],
    [{ 'x-y': "it's" }, "{ 'x-y': 'it\\'s' }"],
    [new Map([['k', 1]]), "Map(1) { 'k' => 1 }"],
    [new Set([1, 2, 3, 4]), 'Set(4) { 1, 2, 3, ... 1 more item }'],
    [new Uint8Array([1, 2]), 'Uint8Array(2) [ 1, 2 ]'],
    [function fn() {}, '[Function: fn]'],
    [class Bar {}, '[class Bar]'],
    [new Foo(), "Foo { baseField: 1, field: 'f' }"],
    [Object.create(null), '[Object: null prototype] {}'],
    [new Date(0), '1970-01-01T00:00:00.000Z'],
    [/a+/gi, '/a+/gi'],
    [new TypeError('boom'), '[TypeError: boom]'],
    [new String('s'), "[String: 's']"],
    [new WeakMap(), 'WeakMap { <items unknown> }'],
    [v['proxy'], '[Proxy]'],
    [v['proxyFn'], '[Proxy]'],
    [{ p: v['proxy'] }, '{ p: [Proxy] }'],
    [v['getterObj'], '{ plain: 2, secret: [Getter] }'],
    [v['setterOnly'], '{ w: [Setter] }'],
    [v['getterArr'], '[ 1, [Getter], 3 ]'],
    [v['holes'], '[ 1, <empty>, 3 ]'],
    [v['coercing'], '{ toString: [Function (anonymous)], valueOf: [Function (anonymous)] }'],
    [v['sneakyMap'], "SneakyMap(1) { 'k' => 1 }"],
    [v['tagged'], '{ x: 1 }'],
    [v['lengthGetter'], '{ length: [Getter] }'],
  ];
  for (const [value, expected] of table) assert.equal(renderValue(value), expected);
  assert.deepEqual(calls, []);
});

test('messages are capped at 8 KiB exactly as the event cap does: the first 8192 characters, then …', () => {
  const big = 'x'.repeat(5000);
  const t = compileTemplate([seg('a'), seg('a'), seg('a')], '');
  const out = t.render(scopeOf({ a: big }));
  assert.equal(out.message, 'x'.repeat(MAX_MESSAGE_CHARS) + '…');
  assert.equal(truncateMessage(out.message), out.message, 'the event cap changes nothing more');
  // Same cut as truncateMessage everywhere, surrogate pairs included.
  for (const msg of ['a'.repeat(MAX_MESSAGE_CHARS), 'a'.repeat(MAX_MESSAGE_CHARS + 1), 'a'.repeat(MAX_MESSAGE_CHARS - 1) + '😀b', 'é'.repeat(9000)]) {
    assert.equal(capMessage(msg), truncateMessage(msg));
  }
  // A message of exactly 8192 characters followed by more segments is still marked as cut.
  const exact = compileTemplate([seg('a'), seg('b')], '').render(scopeOf({ a: 'y'.repeat(MAX_MESSAGE_CHARS), b: 'z' }));
  assert.equal(exact.message, 'y'.repeat(MAX_MESSAGE_CHARS) + '…');
});

test('Map entries with a redacted symbol key render as {redacted}, matched by description', () => {
  const calls: string[] = [];
  const t = compileTemplate([seg('symCredMap'), { str: ' ' }, seg('symCredMap[passwordSym]')], '', { redaction: TEST_REDACTION });
  const out = t.render(scopeOf(fixture(calls)));
  assert.equal(out.message, "Map(2) { Symbol(password) => {redacted}, Symbol(ok) => 'y' } {redacted}");
  assert.ok(!out.message.includes('sym-hunter2'));
  assert.deepEqual(out.errors, []);
  assert.deepEqual(calls, []);
});

test('a passed deadline marks the remaining expression segments', () => {
  const t = compileTemplate([{ str: 'a=' }, seg('a'), { str: ' b=' }, seg('a')], '');
  const out = t.render(scopeOf({ a: 1 }, { deadline: 0 }));
  assert.equal(out.message, 'a={Error: Evaluation exceeded its deadline} b={Error: Evaluation exceeded its deadline}');
  assert.equal(out.errors.length, 2);
});
