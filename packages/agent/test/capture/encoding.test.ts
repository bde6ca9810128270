/** The value encoding of every JavaScript value kind (shared/reference/snapshots.md §4). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import { capture } from './helpers.js';

describe('primitives', () => {
  it('encodes undefined, null and booleans', () => {
    assert.deepEqual(capture(undefined), { type: 'undefined' });
    assert.deepEqual(capture(null), { type: 'null', isNull: true });
    assert.deepEqual(capture(true), { type: 'boolean', value: 'true' });
    assert.deepEqual(capture(false), { type: 'boolean', value: 'false' });
  });

  it('encodes numbers as strings, including NaN, infinities and -0', () => {
    assert.deepEqual(capture(42), { type: 'number', value: '42' });
    assert.deepEqual(capture(1.1), { type: 'number', value: '1.1' });
    assert.deepEqual(capture(1e21), { type: 'number', value: '1e+21' });
    assert.deepEqual(capture(NaN), { type: 'number', value: 'NaN' });
    assert.deepEqual(capture(Infinity), { type: 'number', value: 'Infinity' });
    assert.deepEqual(capture(-Infinity), { type: 'number', value: '-Infinity' });
    assert.deepEqual(capture(-0), { type: 'number', value: '-0' });
    assert.deepEqual(capture(0), { type: 'number', value: '0' });
  });

  it('encodes bigints without the n suffix', () => {
    assert.deepEqual(capture(42n), { type: 'bigint', value: '42' });
    assert.deepEqual(capture(-(2n ** 70n)), { type: 'bigint', value: '-1180591620717411303424' });
  });

  it('does not print an enormous bigint', () => {
    assert.deepEqual(capture(2n ** 20_000n), { type: 'bigint', notCapturedReason: 'tooLarge' });
  });

  it('encodes strings and cuts them at maxLength with the full size', () => {
    assert.deepEqual(capture('hello'), { type: 'string', value: 'hello' });
    assert.deepEqual(capture('abcdef', { limits: { maxLength: 3 } }), { type: 'string', value: 'abc', truncated: true, size: 6 });
    assert.deepEqual(capture('abc', { limits: { maxLength: 3 } }), { type: 'string', value: 'abc' });
  });

  it('does not split a surrogate pair when cutting', () => {
    assert.deepEqual(capture('a😀b', { limits: { maxLength: 2 } }), { type: 'string', value: 'a', truncated: true, size: 4 });
  });

  it('encodes symbols with their description', () => {
    assert.deepEqual(capture(Symbol('foo')), { type: 'symbol', value: 'Symbol(foo)' });
    assert.deepEqual(capture(Symbol()), { type: 'symbol', value: 'Symbol()' });
    assert.deepEqual(capture(Symbol.iterator), { type: 'symbol', value: 'Symbol(Symbol.iterator)' });
  });
});

describe('built-in objects', () => {
  it('encodes dates as full-precision ISO strings', () => {
    assert.deepEqual(capture(new Date('2024-01-02T03:04:05.678Z')), { type: 'Date', value: '2024-01-02T03:04:05.678Z' });
    assert.deepEqual(capture(new Date(NaN)), { type: 'Date', value: 'Invalid Date' });
    class Moment extends Date {}
    assert.deepEqual(capture(new Moment(0)), { type: 'Moment', value: '1970-01-01T00:00:00.000Z' });
  });

  it('encodes regular expressions as literals with their flags', () => {
    assert.deepEqual(capture(/a+b/gi), { type: 'RegExp', value: '/a+b/gi' });
    assert.deepEqual(capture(new RegExp('x', 'dgimsuy')), { type: 'RegExp', value: '/x/dgimsuy' });
    assert.deepEqual(capture(new RegExp('a/b')), { type: 'RegExp', value: '/a\\/b/' });
  });

  it('encodes boxed primitives with their class', () => {
    assert.deepEqual(capture(new String('s')), { type: 'String', value: 's' });
    assert.deepEqual(capture(new Number(-0)), { type: 'Number', value: '-0' });
    assert.deepEqual(capture(new Boolean(false)), { type: 'Boolean', value: 'false' });
    assert.deepEqual(capture(Object(5n)), { type: 'BigInt', value: '5' });
    assert.deepEqual(capture(Object(Symbol('s'))), { type: 'Symbol', value: 'Symbol(s)' });
  });

  it('encodes errors with name, stack, message, cause and own fields', () => {
    const err = Object.assign(new TypeError('bad input', { cause: 'upstream' }), { code: 'E_BAD' });
    const out = capture(err, { limits: { maxLength: 10_000 } });
    assert.equal(out.type, 'TypeError');
    assert.deepEqual(Object.keys(out.fields!).sort(), ['cause', 'code', 'message', 'name', 'stack']);
    assert.equal(Object.keys(out.fields!)[0], 'name');
    assert.deepEqual(out.fields!['name'], { type: 'string', value: 'TypeError' });
    assert.deepEqual(out.fields!['message'], { type: 'string', value: 'bad input' });
    assert.deepEqual(out.fields!['cause'], { type: 'string', value: 'upstream' });
    assert.deepEqual(out.fields!['code'], { type: 'string', value: 'E_BAD' });
    assert.match(out.fields!['stack']!.value!, /^TypeError: bad input\n +at /);
  });

  it('uses the class name of custom errors', () => {
    class NotFound extends Error {
      override name = 'NotFound';
    }
    const out = capture(new NotFound('gone'));
    assert.equal(out.type, 'NotFound');
    assert.deepEqual(out.fields!['name'], { type: 'string', value: 'NotFound' });
  });

  it('keeps the other fields of an error whose stack cannot be formatted', () => {
    const err = new Error('x');
    Object.defineProperty(err, 'name', { value: Symbol('odd'), enumerable: false });
    const out = capture(err);
    assert.deepEqual(out.fields!['stack'], { type: 'string', notCapturedReason: 'error' });
    assert.deepEqual(out.fields!['message'], { type: 'string', value: 'x' });
  });

  it('reports an engine error while reading instead of throwing', () => {
    const buf = new ArrayBuffer(8);
    const view = new DataView(buf);
    structuredClone(buf, { transfer: [buf] }); // detaches the buffer: reading the view throws
    assert.deepEqual(capture({ view, ok: 1 }).fields, { view: { type: 'DataView', notCapturedReason: 'error' }, ok: { type: 'number', value: '1' } });
  });

  it('reports promises and weak collections without their contents', () => {
    assert.deepEqual(capture(Promise.resolve(1)), { type: 'Promise', notCapturedReason: 'internalState' });
    assert.deepEqual(capture(new WeakMap()), { type: 'WeakMap', notCapturedReason: 'internalState' });
    assert.deepEqual(capture(new WeakSet()), { type: 'WeakSet', notCapturedReason: 'internalState' });
  });

  it('encodes array buffers and data views by their byte window', () => {
    assert.deepEqual(capture(new ArrayBuffer(8)), { type: 'ArrayBuffer', fields: { byteLength: { type: 'number', value: '8' } } });
    assert.deepEqual(capture(new SharedArrayBuffer(4)), { type: 'SharedArrayBuffer', fields: { byteLength: { type: 'number', value: '4' } } });
    assert.deepEqual(capture(new DataView(new ArrayBuffer(8), 2, 4)), {
      type: 'DataView',
      fields: { byteLength: { type: 'number', value: '4' }, byteOffset: { type: 'number', value: '2' } },
    });
  });
});

describe('objects', () => {
  it('encodes plain objects, class instances and null-prototype objects', () => {
    assert.deepEqual(capture({ a: 1, b: 'x' }), { type: 'Object', fields: { a: { type: 'number', value: '1' }, b: { type: 'string', value: 'x' } } });
    class User {
      id = 7;
    }
    assert.deepEqual(capture(new User()), { type: 'User', fields: { id: { type: 'number', value: '7' } } });
    const bare = Object.assign(Object.create(null) as object, { k: null });
    assert.deepEqual(capture(bare), { type: 'Object', fields: { k: { type: 'null', isNull: true } } });
  });

  it('includes non-enumerable own properties', () => {
    const o = {};
    Object.defineProperty(o, 'hidden', { value: 1, enumerable: false });
    assert.deepEqual(capture(o), { type: 'Object', fields: { hidden: { type: 'number', value: '1' } } });
  });

  it('reports accessors by kind and never calls them', () => {
    const o = {
      get g() {
        throw new Error('called');
      },
      set s(_v: unknown) {
        throw new Error('called');
      },
      get gs() {
        throw new Error('called');
      },
      set gs(_v: unknown) {
        throw new Error('called');
      },
    };
    assert.deepEqual(capture(o), { type: 'Object', fields: { g: { type: 'getter' }, s: { type: 'setter' }, gs: { type: 'getter/setter' } } });
  });

  it('names symbol keys Symbol(x) and replaces dots in keys', () => {
    const o = { [Symbol('tag')]: 1, 'a.b.c': 2 };
    assert.deepEqual(capture(o), {
      type: 'Object',
      fields: { a_b_c: { type: 'number', value: '2' }, 'Symbol(tag)': { type: 'number', value: '1' } },
    });
  });

  it('keeps __proto__ and constructor as ordinary field names', () => {
    const o = JSON.parse('{"__proto__": 1, "constructor": 2}') as object;
    const out = capture(o);
    assert.deepEqual(Object.keys(out.fields!), ['__proto__', 'constructor']);
    assert.deepEqual(out.fields!['__proto__'], { type: 'number', value: '1' });
  });

  it('marks a reference back to an object on the same path as circular', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = a;
    const shared = { v: 1 };
    a['left'] = shared;
    a['right'] = shared;
    const out = capture(a);
    assert.deepEqual(out.fields!['self'], { type: 'Object', notCapturedReason: 'circular' });
    // A shared object that is not an ancestor is captured wherever it appears.
    assert.deepEqual(out.fields!['left'], out.fields!['right']);
    assert.deepEqual(out.fields!['left'], { type: 'Object', fields: { v: { type: 'number', value: '1' } } });
  });

  it('reports a Proxy without running any trap', () => {
    assert.deepEqual(capture(new Proxy({ a: 1 }, {})), { type: 'Proxy', notCapturedReason: 'proxy' });
    assert.deepEqual(capture(new Proxy(() => 1, {})), { type: 'Proxy', notCapturedReason: 'proxy' });
  });

  it('encodes module namespaces, generators and iterators with a descriptive type', async () => {
    const source = 'data:text/javascript,export const a = 1; export let b = "x";';
    const ns = (await import(source)) as object;
    assert.deepEqual(capture(ns), {
      type: 'Module',
      fields: { a: { type: 'number', value: '1' }, b: { type: 'string', value: 'x' }, 'Symbol(Symbol_toStringTag)': { type: 'string', value: 'Module' } },
    });
    function* gen(): Generator<number> {
      yield 1;
    }
    assert.deepEqual(capture(gen()), { type: 'Generator', fields: {} });
    assert.deepEqual(capture(new Map().entries()), { type: 'Map Iterator', fields: {} });
    assert.deepEqual(capture(new Set().values()), { type: 'Set Iterator', fields: {} });
  });
});

describe('functions and classes', () => {
  it('encodes functions with name and length', () => {
    function add(a: number, b: number): number {
      return a + b;
    }
    assert.deepEqual(capture(add), {
      type: 'Function',
      fields: { name: { type: 'string', value: 'add' }, length: { type: 'number', value: '2' } },
    });
    assert.equal(capture(async () => {}).type, 'AsyncFunction');
    assert.equal(capture(function* () {}).type, 'GeneratorFunction');
    assert.equal(capture(Math.max).type, 'Function');
  });

  it('encodes classes as "class Name"', () => {
    class Foo {}
    class Bar extends Foo {}
    assert.deepEqual(capture(Foo), { type: 'class Foo' });
    assert.deepEqual(capture(Bar), { type: 'class Bar' });
    assert.deepEqual(capture(class {}), { type: 'class' });
    // A built-in constructor is a function, not a class.
    assert.equal(capture(Map).type, 'Function');
  });
});

describe('collections', () => {
  it('encodes arrays, sparse arrays and array subclasses', () => {
    assert.deepEqual(capture([1, 'a']), { type: 'Array', elements: [{ type: 'number', value: '1' }, { type: 'string', value: 'a' }] });
    // eslint-disable-next-line no-sparse-arrays
    assert.deepEqual(capture([1, , 3]), { type: 'Array', elements: [{ type: 'number', value: '1' }, { type: 'hole' }, { type: 'number', value: '3' }] });
    class List extends Array<number> {}
    assert.deepEqual(capture(List.from([5])), { type: 'List', elements: [{ type: 'number', value: '5' }] });
  });

  it('reports accessor elements without calling them', () => {
    const arr = [0];
    Object.defineProperty(arr, 0, {
      get() {
        throw new Error('called');
      },
    });
    assert.deepEqual(capture(arr), { type: 'Array', elements: [{ type: 'getter' }] });
  });

  it('encodes typed arrays and Buffers element by element', () => {
    assert.deepEqual(capture(new Uint8Array([1, 255])), { type: 'Uint8Array', elements: [{ type: 'number', value: '1' }, { type: 'number', value: '255' }] });
    assert.deepEqual(capture(new Float64Array([NaN, -0])), { type: 'Float64Array', elements: [{ type: 'number', value: 'NaN' }, { type: 'number', value: '-0' }] });
    assert.deepEqual(capture(new BigInt64Array([-1n])), { type: 'BigInt64Array', elements: [{ type: 'bigint', value: '-1' }] });
    assert.deepEqual(capture(Buffer.from('hi')), { type: 'Buffer', elements: [{ type: 'number', value: '104' }, { type: 'number', value: '105' }] });
  });

  it('encodes Maps as entries and Sets as elements', () => {
    assert.deepEqual(capture(new Map<unknown, unknown>([['k', 1], [{ id: 1 }, null]])), {
      type: 'Map',
      entries: [
        [{ type: 'string', value: 'k' }, { type: 'number', value: '1' }],
        [{ type: 'Object', fields: { id: { type: 'number', value: '1' } } }, { type: 'null', isNull: true }],
      ],
    });
    assert.deepEqual(capture(new Set(['a', 2])), { type: 'Set', elements: [{ type: 'string', value: 'a' }, { type: 'number', value: '2' }] });
  });

  it('encodes arguments objects as array-like', () => {
    const args = (function (..._a: unknown[]) {
      // eslint-disable-next-line prefer-rest-params
      return arguments;
    })(1, 'b');
    assert.deepEqual(capture(args), { type: 'Arguments', elements: [{ type: 'number', value: '1' }, { type: 'string', value: 'b' }] });
  });
});

describe('objects from another realm', () => {
  it('recognises vm-context arrays, maps, sets, dates, regexps, errors and typed arrays by their internal slots', () => {
    const foreign = vm.runInNewContext(`({
      arr: [1], map: new Map([['a', 1]]), set: new Set([2]), date: new Date(0), re: /x/g,
      err: new TypeError('m'), ta: new Uint8Array(1), plain: { p: 1 }
    })`) as object;
    const out = capture(foreign, { limits: { maxLength: 10_000 } });
    const f = out.fields!;
    assert.deepEqual(f['arr'], { type: 'Array', elements: [{ type: 'number', value: '1' }] });
    assert.deepEqual(f['map'], { type: 'Map', entries: [[{ type: 'string', value: 'a' }, { type: 'number', value: '1' }]] });
    assert.deepEqual(f['set'], { type: 'Set', elements: [{ type: 'number', value: '2' }] });
    assert.deepEqual(f['date'], { type: 'Date', value: '1970-01-01T00:00:00.000Z' });
    assert.deepEqual(f['re'], { type: 'RegExp', value: '/x/g' });
    assert.deepEqual(f['ta'], { type: 'Uint8Array', elements: [{ type: 'number', value: '0' }] });
    assert.deepEqual(f['plain'], { type: 'Object', fields: { p: { type: 'number', value: '1' } } });
    assert.equal(f['err']!.type, 'TypeError');
    assert.deepEqual(f['err']!.fields!['message'], { type: 'string', value: 'm' });
    // Another realm's stack could be formatted by that realm's Error.prepareStackTrace: not read.
    assert.deepEqual(f['err']!.fields!['stack'], { type: 'string', notCapturedReason: 'userCode' });
  });
});
