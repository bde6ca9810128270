/**
 * Safety proof: capturing hostile values runs none of their code. Every hook below records its
 * call (and throws); each test asserts the record is empty and the output is valid JSON.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { captureValue, captureVariables } from '../../src/capture/index.js';
import { makeContext, wire } from './helpers.js';
import { HookRecorder } from './hostile-values.js';

function captureAll(value: unknown, limits = { maxReferenceDepth: 5 }): unknown {
  const out = captureValue(value, 'v', makeContext({ limits, redaction: { redactedTypes: ['Nothing*'] } }));
  return wire(out);
}

describe('hostile values', () => {
  it('never calls getters, setters or conversion hooks of an object', () => {
    const rec = new HookRecorder();
    const out = captureAll(rec.hookedObject());
    rec.assertNoneCalled();
    assert.equal((out as { type: string }).type, 'Object');
  });

  it('never calls hooks on the prototype chain, including a constructor getter and Symbol.hasInstance', () => {
    const rec = new HookRecorder();
    const value = rec.hookedInstance();
    const out = captureAll(value) as { type: string };
    rec.assertNoneCalled();
    assert.equal(out.type, 'Object', 'a constructor getter is not called to name the class');
  });

  it('runs no Proxy trap, whether the Proxy is a value, nested, a prototype, callable or revoked', () => {
    const rec = new HookRecorder();
    const proxies = rec.proxies();
    for (const [name, value] of Object.entries(proxies)) {
      captureAll(value);
      rec.assertNoneCalled(name);
    }
    captureAll(proxies);
    captureAll(new Map<unknown, unknown>([[proxies['plain'], proxies['callable']]]));
    captureAll(new Set([proxies['plain']]));
    captureAll([proxies['plain'], proxies['revoked']]);
    rec.assertNoneCalled();
  });

  it('ignores overridden iteration, size and element access of Map, Set and Array subclasses', () => {
    const rec = new HookRecorder();
    const { map, set, array, typed } = rec.hookedCollections();
    const out = captureAll({ map, set, array, typed }) as { fields: Record<string, { entries?: unknown[]; elements?: unknown[] }> };
    rec.assertNoneCalled();
    assert.equal(out.fields['map']!.entries!.length, 2);
    assert.equal(out.fields['set']!.elements!.length, 2);
    assert.equal(out.fields['array']!.elements!.length, 3);
    assert.equal(out.fields['typed']!.elements!.length, 4);
  });

  it('ignores overridden accessors of dates, regexps, boxed primitives and functions', () => {
    const rec = new HookRecorder();
    const v = rec.hookedBuiltins();
    const out = captureAll(v) as { fields: Record<string, { value?: string; type: string }> };
    rec.assertNoneCalled();
    assert.equal(out.fields['date']!.value, '2020-01-01T00:00:00.000Z');
    assert.equal(out.fields['regexp']!.value, '/x/g');
    assert.equal(out.fields['boxed']!.value, 'inner');
    assert.equal(out.fields['fn']!.type, 'Function');
    assert.equal(out.fields['klass']!.type, 'class');
  });

  it('does not format a stack through a user Error.prepareStackTrace, nor read error getters', () => {
    const rec = new HookRecorder();
    const saved = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
    const err = new Error('unformatted');
    Error.prepareStackTrace = rec.hook('Error.prepareStackTrace');
    try {
      const out = captureAll(err) as { fields: Record<string, unknown> };
      assert.deepEqual(out.fields['stack'], { type: 'string', notCapturedReason: 'userCode' });
      captureAll(rec.hookedError());
      rec.assertNoneCalled();
    } finally {
      if (saved) Object.defineProperty(Error, 'prepareStackTrace', saved);
      else delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
    }
    // Without the user hook, an error whose name is a getter is still not formatted (the header reads it).
    captureAll(rec.hookedError());
    rec.assertNoneCalled();
  });

  it('does not call util.inspect.custom or toJSON when serialising the output', () => {
    const rec = new HookRecorder();
    const value = { [inspect.custom]: rec.hook('inspect.custom'), toJSON: rec.hook('toJSON'), nested: { toJSON: rec.hook('nested.toJSON') } };
    const json = JSON.stringify(captureValue(value, 'v', makeContext()));
    JSON.parse(json);
    rec.assertNoneCalled();
  });

  it('uses the built-ins taken at load even when the application replaces them later', () => {
    const rec = new HookRecorder();
    const scope: Array<[string, unknown]> = [
      ['map', new Map([['Token', 1]])],
      ['set', new Set([1])],
      ['arr', [1, 2]],
      ['date', new Date(0)],
      ['sym', Symbol('s')],
      ['str', 'x'.repeat(300)],
      ['re', /r/i],
      ['fn', function f() {}],
      ['obj', { 'a.b': 1, HTTP_COOKIE: 'c' }],
    ];
    const ctx = makeContext();
    const restore = rec.patchBuiltins();
    let captured: unknown;
    try {
      captured = captureVariables(scope, ctx);
    } finally {
      restore();
    }
    rec.assertNoneCalled();
    const o = wire(captured) as Record<string, { fields?: Record<string, unknown>; entries?: unknown[]; elements?: unknown[]; value?: string }>;
    assert.deepEqual(o['obj']!.fields, { a_b: { type: 'number', value: '1' }, HTTP_COOKIE: { type: 'string', notCapturedReason: 'redactedIdent' } });
    assert.deepEqual(o['map']!.entries, [[{ type: 'string', value: 'Token' }, { type: 'number', notCapturedReason: 'redactedIdent' }]]);
    assert.deepEqual(o['set']!.elements, [{ type: 'number', value: '1' }]);
    assert.equal(o['date']!.value, '1970-01-01T00:00:00.000Z');
    assert.equal(o['re']!.value, '/r/i');
    assert.equal(o['sym']!.value, 'Symbol(s)');
    assert.equal(o['str']!.value!.length, 255);
  });

  it('writes output fields without triggering accessors installed on Object.prototype', () => {
    const rec = new HookRecorder();
    const names = ['polluted', 'value', 'get', 'set', 'type', 'fields', 'elements', 'notCapturedReason', 'size', 'done'];
    const value = {
      polluted: 1,
      get acc() {
        return 1;
      },
      nested: Object.defineProperty({}, 'onlySetter', { set: rec.hook('onlySetter'), enumerable: true }),
      list: [1, { polluted: 2 }],
      map: new Map([['k', 'v']]),
    };
    const ctx = makeContext();
    for (const name of names) {
      Object.defineProperty(Object.prototype, name, { __proto__: null, get: rec.hook(`get ${name}`), set: rec.hook(`set ${name}`), configurable: true } as PropertyDescriptor);
    }
    let out: string;
    try {
      out = JSON.stringify(captureValue(value, 'v', ctx));
    } finally {
      for (const name of names) delete (Object.prototype as Record<string, unknown>)[name];
    }
    rec.assertNoneCalled();
    const parsed = JSON.parse(out) as { fields: Record<string, unknown> };
    assert.deepEqual(parsed.fields['polluted'], { type: 'number', value: '1' });
    assert.deepEqual(parsed.fields['acc'], { type: 'getter' });
    assert.deepEqual(parsed.fields['nested'], { type: 'Object', fields: { onlySetter: { type: 'setter' } } });
    assert.deepEqual(parsed.fields['map'], { type: 'Map', entries: [[{ type: 'string', value: 'k' }, { type: 'string', value: 'v' }]] });
  });
});
