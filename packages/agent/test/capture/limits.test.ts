/** Capture limits, redaction inside snapshots, the time budget and huge inputs (snapshots.md §4–5). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureValue, captureVariables, LARGE_OBJECT_KEYS, SCOPE_LIMIT_KEY, takeOverBudgetObject } from '../../src/capture/index.js';
import { capture, makeContext, wire } from './helpers.js';

const num = (n: number): { type: string; value: string } => ({ type: 'number', value: String(n) });

describe('maxReferenceDepth', () => {
  const nested = { l2: { l3: { l4: { l5: 1 }, n3: 3 }, n2: 2 }, n1: 1 };

  it('expands a local (level 1) down to level 3 by default and marks level 4 objects', () => {
    assert.deepEqual(capture(nested), {
      type: 'Object',
      fields: {
        l2: { type: 'Object', fields: { l3: { type: 'Object', fields: { l4: { type: 'Object', notCapturedReason: 'depth' }, n3: num(3) } }, n2: num(2) } },
        n1: num(1),
      },
    });
  });

  it('captures primitives at any depth', () => {
    assert.deepEqual(capture({ a: { b: 'deep' } }, { limits: { maxReferenceDepth: 1 } }), {
      type: 'Object',
      fields: { a: { type: 'Object', notCapturedReason: 'depth' } },
    });
    assert.deepEqual(capture({ a: 'x' }, { limits: { maxReferenceDepth: 1 } }), { type: 'Object', fields: { a: { type: 'string', value: 'x' } } });
  });

  it('does not expand the local itself with depth 0', () => {
    assert.deepEqual(capture([1], { limits: { maxReferenceDepth: 0 } }), { type: 'Array', notCapturedReason: 'depth' });
    assert.deepEqual(capture(() => 1, { limits: { maxReferenceDepth: 0 } }), { type: 'Function', notCapturedReason: 'depth' });
    assert.deepEqual(capture(7, { limits: { maxReferenceDepth: 0 } }), num(7));
  });

  it('counts map keys, map values and elements one level below their collection', () => {
    const out = capture(new Map([[{ k: 1 }, [{ v: 1 }]]]), { limits: { maxReferenceDepth: 2 } });
    assert.deepEqual(out.entries, [
      [
        { type: 'Object', fields: { k: num(1) } },
        { type: 'Array', elements: [{ type: 'Object', notCapturedReason: 'depth' }] },
      ],
    ]);
  });
});

describe('maxFieldCount', () => {
  it('keeps the first N properties and reports the total', () => {
    const o: Record<string, number> = {};
    for (let i = 0; i < 25; i++) o[`f${i}`] = i;
    const out = capture(o);
    assert.equal(Object.keys(out.fields!).length, 20);
    assert.deepEqual(out.fields!['f19'], num(19));
    assert.equal(out.notCapturedReason, 'fieldCount');
    assert.equal(out.size, 25);
  });

  it('applies to a scope of variables, with a marker entry for the cut', () => {
    const scope: Array<[string, unknown]> = [];
    for (let i = 0; i < 5; i++) scope.push([`v${i}`, i]);
    const out = wire(captureVariables(scope, makeContext({ limits: { maxFieldCount: 3 } })));
    assert.deepEqual(out, { v0: num(0), v1: num(1), v2: num(2), [SCOPE_LIMIT_KEY]: { type: 'Scope', notCapturedReason: 'fieldCount', size: 5 } });
    assert.deepEqual(Object.keys(wire(captureVariables(scope.slice(0, 3), makeContext({ limits: { maxFieldCount: 3 } })))), ['v0', 'v1', 'v2']);
  });

  it('counts an error`s inherited name as one of the fields', () => {
    const out = capture(new RangeError('r'), { limits: { maxFieldCount: 2 } });
    assert.equal(Object.keys(out.fields!).length, 2);
    assert.equal(Object.keys(out.fields!)[0], 'name');
    assert.equal(out.notCapturedReason, 'fieldCount');
    assert.equal(out.size, 3);
  });

  it('applies to the fixed fields of functions', () => {
    assert.deepEqual(capture(function f(_a: unknown) {}, { limits: { maxFieldCount: 1 } }), {
      type: 'Function',
      fields: { name: { type: 'string', value: 'f' } },
      notCapturedReason: 'fieldCount',
      size: 2,
    });
  });
});

describe('maxCollectionSize', () => {
  const limits = { maxCollectionSize: 2 };
  const cut = { notCapturedReason: 'collectionSize', size: 3 };

  it('cuts arrays, typed arrays, maps and sets and reports the full size', () => {
    assert.deepEqual(capture([1, 2, 3], { limits }), { type: 'Array', elements: [num(1), num(2)], ...cut });
    assert.deepEqual(capture(new Int8Array([1, 2, 3]), { limits }), { type: 'Int8Array', elements: [num(1), num(2)], ...cut });
    assert.deepEqual(capture(new Set([1, 2, 3]), { limits }), { type: 'Set', elements: [num(1), num(2)], ...cut });
    assert.deepEqual(capture(new Map([[1, 1], [2, 2], [3, 3]]), { limits }), {
      type: 'Map',
      entries: [
        [num(1), num(1)],
        [num(2), num(2)],
      ],
      ...cut,
    });
  });

  it('reads only the first items of enormous collections', () => {
    const sparse = new Array<number>(10_000_000);
    sparse[5] = 1;
    const out = capture(sparse, { limits: { maxCollectionSize: 10 } });
    assert.equal(out.size, 10_000_000);
    assert.equal(out.elements!.length, 10);
    assert.deepEqual(out.elements![5], num(1));
    assert.deepEqual(out.elements![0], { type: 'hole' });

    const map = new Map<number, number>();
    for (let i = 0; i < 200_000; i++) map.set(i, i);
    const m = capture(map);
    assert.equal(m.entries!.length, 100);
    assert.equal(m.size, 200_000);

    const bytes = capture(new Uint8Array(16 * 1024 * 1024));
    assert.equal(bytes.elements!.length, 100);
    assert.equal(bytes.size, 16 * 1024 * 1024);
  });
});

describe('maxLength', () => {
  it('cuts strings everywhere, including nested, symbols and regexps', () => {
    const limits = { maxLength: 4 };
    assert.deepEqual(capture({ s: 'abcdefgh' }, { limits }).fields!['s'], { type: 'string', value: 'abcd', truncated: true, size: 8 });
    assert.deepEqual(capture(Symbol('long'), { limits }), { type: 'symbol', value: 'Symb', truncated: true, size: 12 });
    assert.deepEqual(capture(/abcdef/, { limits }), { type: 'RegExp', value: '/abc', truncated: true, size: 8 });
  });
});

describe('redaction in snapshots', () => {
  it('hides the value of a redacted variable, property or map key and keeps its type', () => {
    const scope: Array<[string, unknown]> = [
      ['password', 'hunter2'],
      ['user', { name: 'ada', apiKey: { v: 1 }, 'x-auth-token': 't', [Symbol('secret')]: 's' }],
      ['headers', new Map<unknown, unknown>([['Authorization', 'Bearer x'], [Symbol('token'), 1], ['accept', '*/*'], [1, 'one']])],
    ];
    const out = wire(captureVariables(scope, makeContext()));
    assert.deepEqual(out['password'], { type: 'string', notCapturedReason: 'redactedIdent' });
    assert.deepEqual(out['user']!.fields, {
      name: { type: 'string', value: 'ada' },
      apiKey: { type: 'Object', notCapturedReason: 'redactedIdent' },
      'x-auth-token': { type: 'string', notCapturedReason: 'redactedIdent' },
      'Symbol(secret)': { type: 'string', notCapturedReason: 'redactedIdent' },
    });
    assert.deepEqual(out['headers']!.entries, [
      [{ type: 'string', value: 'Authorization' }, { type: 'string', notCapturedReason: 'redactedIdent' }],
      [{ type: 'symbol', value: 'Symbol(token)' }, { type: 'number', notCapturedReason: 'redactedIdent' }],
      [{ type: 'string', value: 'accept' }, { type: 'string', value: '*/*' }],
      [num(1), { type: 'string', value: 'one' }],
    ]);
  });

  it('marks redacted accessors and redacted names passed to captureValue', () => {
    const o = {
      get token() {
        return 'x';
      },
    };
    assert.deepEqual(capture(o).fields!['token'], { type: 'getter', notCapturedReason: 'redactedIdent' });
    assert.deepEqual(capture({ a: 1 }, {}, 'session'), { type: 'Object', notCapturedReason: 'redactedIdent' });
    assert.deepEqual(capture(null, {}, 'cookie'), { type: 'null', notCapturedReason: 'redactedIdent' });
  });

  it('applies configured identifiers and exclusions', () => {
    const out = capture({ token: 't', customerId: 1 }, { redaction: { redactedIdentifiers: ['customer_id'], redactionExcludedIdentifiers: ['token'] } });
    assert.deepEqual(out.fields, { token: { type: 'string', value: 't' }, customerId: { type: 'number', notCapturedReason: 'redactedIdent' } });
  });

  it('hides values of redacted types wherever they appear', () => {
    class Credentials {
      user = 'u';
    }
    class SecretBox {
      v = 1;
    }
    const redaction = { redactedTypes: ['Credentials', 'Secret*'] };
    assert.deepEqual(capture(new Credentials(), { redaction }), { type: 'Credentials', notCapturedReason: 'redactedType' });
    assert.deepEqual(capture({ list: [new SecretBox()], ok: { v: 1 } }, { redaction }), {
      type: 'Object',
      fields: {
        list: { type: 'Array', elements: [{ type: 'SecretBox', notCapturedReason: 'redactedType' }] },
        ok: { type: 'Object', fields: { v: num(1) } },
      },
    });
  });
});

describe('time budget', () => {
  /** A clock that advances 1 ms per reading, so the budget runs out after a known number of reads. */
  function steppingClock(): () => number {
    let t = 0;
    return () => t++;
  }

  it('marks everything not expanded before the deadline as timeout, primitives excepted', () => {
    const ctx = makeContext({ budgetMs: 0 });
    const out = wire(captureVariables([['obj', { a: 1 }], ['n', 1], ['s', 'x']], ctx));
    assert.equal(ctx.timedOut, true);
    assert.deepEqual(out, { obj: { type: 'Object', notCapturedReason: 'timeout' }, n: num(1), s: { type: 'string', value: 'x' } });
  });

  it('stops expanding part-way once the clock passes the deadline', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ i }));
    // Deadline 3 ms after the context is made; the clock is read every few expansions.
    const ctx = makeContext({ budgetMs: 3, clock: steppingClock() });
    const out = wire(captureValue(items, 'items', ctx));
    assert.equal(ctx.timedOut, true);
    const reasons = out.elements!.map((e) => e.notCapturedReason ?? 'captured');
    const firstTimeout = reasons.indexOf('timeout');
    assert.ok(firstTimeout > 0, 'some items were captured before the deadline');
    assert.ok(reasons.slice(0, firstTimeout).every((r) => r === 'captured'));
    assert.ok(reasons.slice(firstTimeout).every((r) => r === 'timeout'));
  });
});

describe('huge objects', () => {
  function bigObject(count: number): Record<string, number> {
    const big: Record<string, number> = {};
    for (let i = 0; i < count; i++) big[`k${i}`] = i;
    return big;
  }

  it('a large object listed within the budget is expanded and remembered: later captures do not list it again', () => {
    const count = LARGE_OBJECT_KEYS + 5;
    const big = bigObject(count);
    const first = makeContext();
    const out = wire(captureValue(big, 'big', first));
    assert.equal(first.largeObject, undefined, 'within the budget: nothing to report');
    assert.equal(out.notCapturedReason, 'fieldCount');
    assert.equal(out.size, count);
    assert.deepEqual(Object.keys(out.fields!).slice(0, 2), ['k0', 'k1']);

    // A key added since is not seen: the remembered size and keys are used, not a new listing.
    big['added'] = 1;
    const again = makeContext();
    assert.deepEqual(wire(captureValue(big, 'big', again)), out);
    assert.equal(takeOverBudgetObject(), undefined);
  });

  it('an object whose listing ends past the deadline is timeout with its size, reported once, and never listed again', () => {
    const count = LARGE_OBJECT_KEYS + 1;
    const big = bigObject(count);
    // Deadline 2 ms after the context is made; the clock advances 1 ms per reading: the read
    // before the expansion is in time, the one right after the listing is not.
    let t = 0;
    const clock = (): number => t++;
    takeOverBudgetObject();
    const ctx = makeContext({ budgetMs: 2, clock });
    const out = wire(captureVariables([['big', big], ['next', { a: 1 }], ['n', 7]], ctx));
    assert.deepEqual(out['big'], { type: 'Object', notCapturedReason: 'timeout', size: count });
    assert.deepEqual(out['next'], { type: 'Object', notCapturedReason: 'timeout' }, 'the budget is spent for what follows');
    assert.deepEqual(out['n'], num(7));
    assert.equal(ctx.timedOut, true);
    assert.deepEqual(ctx.largeObject, { type: 'Object', size: count });
    assert.deepEqual(takeOverBudgetObject(), { type: 'Object', size: count });
    assert.equal(takeOverBudgetObject(), undefined, 'taken once');

    // Later captures, even with time to spare, reuse the verdict: no listing, no report.
    big['added'] = 1;
    const later = makeContext();
    const again = wire(captureVariables([['big', big], ['next', { a: 1 }]], later));
    assert.deepEqual(again['big'], { type: 'Object', notCapturedReason: 'timeout', size: count });
    assert.deepEqual(again['next'], { type: 'Object', fields: { a: num(1) } });
    assert.equal(later.timedOut, false);
    assert.equal(later.largeObject, undefined);
    assert.equal(takeOverBudgetObject(), undefined);
  });

  it('collections of a million items are read only up to the limits', () => {
    const n = 1_000_000;
    const arr = new Array<number>(n).fill(1);
    const map = new Map<number, number>();
    const set = new Set<number>();
    for (let i = 0; i < n; i++) {
      map.set(i, i);
      set.add(i);
    }
    const out = wire(captureVariables([['arr', arr], ['map', map], ['set', set], ['bytes', new Uint8Array(n)]], makeContext()));
    for (const name of ['arr', 'set', 'bytes']) {
      assert.equal(out[name]!.elements!.length, 100, name);
      assert.equal(out[name]!.size, n, name);
      assert.equal(out[name]!.notCapturedReason, 'collectionSize', name);
    }
    assert.equal(out['map']!.entries!.length, 100);
    assert.equal(out['map']!.size, n);
  });
});
