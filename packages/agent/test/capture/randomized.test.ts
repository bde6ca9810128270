/**
 * Seeded random object graphs (deep, cyclic, sparse, hostile, from every value kind) through the
 * serializer: each snapshot must be valid JSON, obey every limit and redaction rule, and no
 * hook may have run. Reproduce a failure with PERISCOPE_CAPTURE_SEED=<seed>.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaptureLimits, CapturedValue } from '@periscope/protocol';
import { CaptureContext, captureVariables, Redaction, SCOPE_LIMIT_KEY } from '../../src/capture/index.js';
import { assertValidTree } from './helpers.js';
import { HookRecorder } from './hostile-values.js';

const GRAPHS = 300;
const SEED = Number(process.env['PERISCOPE_CAPTURE_SEED'] ?? 0x5eed);

/** mulberry32: small, fast, good enough to vary shapes reproducibly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['id', 'name', 'password', 'api_key', 'X-Auth-Token', 'a.b', 'data', '__proto__', 'constructor', 'items', 'stack', 'value', 'type', 'session'];
const TEXT = ['', 'x', 'héllo', '😀😀', 'line\nbreak "quoted" \\ back', '\u0000\u001f', 'long'];
const CLASS_NAMES = ['Account', 'SecretBox', 'Node', 'Cache'];

class Generator {
  readonly #r: () => number;
  readonly #rec: HookRecorder;
  readonly #made: object[] = [];
  #budget = 0;

  constructor(r: () => number, rec: HookRecorder) {
    this.#r = r;
    this.#rec = rec;
  }

  #int(n: number): number {
    return Math.floor(this.#r() * n);
  }

  #pick<T>(list: readonly T[]): T {
    return list[this.#int(list.length)]!;
  }

  graph(): unknown {
    this.#budget = 400 + this.#int(1500);
    return this.value(0);
  }

  value(depth: number): unknown {
    if (--this.#budget <= 0 || depth > 12) return this.primitive();
    const roll = this.#r();
    if (roll < 0.35) return this.primitive();
    if (roll < 0.42 && this.#made.length > 0) {
      // A shared reference, or (from the most recent objects, often still being filled) a cycle.
      const recent = this.#r() < 0.5;
      return recent ? this.#made[this.#made.length - 1 - this.#int(Math.min(5, this.#made.length))] : this.#pick(this.#made);
    }
    return this.object(depth);
  }

  primitive(): unknown {
    switch (this.#int(9)) {
      case 0:
        return this.#pick([0, -0, 1.5, NaN, Infinity, -Infinity, 2 ** 53, -7]);
      case 1: {
        const s = this.#pick(TEXT);
        return s === 'long' ? 'ab😀'.repeat(this.#int(200)) : s;
      }
      case 2:
        return this.#r() < 0.5;
      case 3:
        return null;
      case 4:
        return undefined;
      case 5:
        return BigInt(this.#int(1e6)) * (this.#r() < 0.1 ? 2n ** 200n : 1n);
      case 6:
        return Symbol(this.#pick(KEYS));
      default:
        return this.#int(1000);
    }
  }

  object(depth: number): unknown {
    const rec = this.#rec;
    switch (this.#int(17)) {
      case 0:
      case 1:
      case 2:
        return this.plain(depth, Object.prototype);
      case 3: {
        const n = this.#int(150);
        const arr: unknown[] = new Array(n);
        this.#made.push(arr); // reachable from its own elements: cycles
        for (let i = 0; i < n; i++) if (this.#r() < 0.8) arr[i] = this.value(depth + 1);
        if (n > 0 && this.#r() < 0.2) Object.defineProperty(arr, 0, { get: rec.hook('array index getter'), enumerable: true });
        return arr;
      }
      case 4: {
        const m = new Map<unknown, unknown>();
        this.#made.push(m);
        const n = this.#int(120);
        for (let i = 0; i < n; i++) m.set(this.#r() < 0.6 ? this.#pick(KEYS) + i : this.value(depth + 1), this.value(depth + 1));
        return m;
      }
      case 5: {
        const s = new Set<unknown>();
        const n = this.#int(120);
        for (let i = 0; i < n; i++) s.add(this.value(depth + 1));
        return s;
      }
      case 6: {
        const Ctor = this.#pick([Uint8Array, Int32Array, Float64Array, BigInt64Array, Uint8ClampedArray]);
        return new Ctor(this.#int(300));
      }
      case 7:
        return this.#pick([new Date(this.#int(2e12)), new Date(NaN), /a+(b)?/gimsuy, new RegExp('x'.repeat(this.#int(400)))]);
      case 8: {
        const e = new (this.#pick([Error, TypeError, RangeError]))(this.#pick(TEXT), { cause: this.value(depth + 1) });
        if (this.#r() < 0.3) Object.defineProperty(e, 'message', { get: rec.hook('error message getter') });
        return e;
      }
      case 9:
        return this.#pick([function named(_a: unknown) {}, () => 1, class Klass {}, async function asyncFn() {}, Math.max]);
      case 10:
        return new Proxy(this.#r() < 0.5 ? {} : () => {}, rec.handler('random proxy'));
      case 11:
        return this.plain(depth, new Proxy({}, rec.handler('random proto proxy')));
      case 12: {
        const name = this.#pick(CLASS_NAMES);
        const C = { [name]: class {} }[name]!;
        Object.defineProperty(C.prototype, Symbol.toStringTag, { get: rec.hook('class toStringTag') });
        return this.plain(depth, C.prototype as object);
      }
      case 13:
        return this.#pick([Promise.resolve(1), new WeakMap(), new WeakSet(), new ArrayBuffer(8), new DataView(new ArrayBuffer(4))]);
      case 14:
        return this.#pick([new String('boxed'), new Number(3), Object(9n)]);
      case 15:
        return this.plain(depth, null);
      default: {
        // A deep chain, to exercise the depth limit.
        const root: Record<string, unknown> = {};
        let cur = root;
        for (let i = 0, n = this.#int(20); i < n; i++) cur = (cur['next'] = { i }) as Record<string, unknown>;
        return root;
      }
    }
  }

  plain(depth: number, proto: object | null): object {
    const o = Object.create(proto) as Record<PropertyKey, unknown>;
    this.#made.push(o);
    const n = this.#int(35);
    for (let i = 0; i < n; i++) {
      const key = this.#r() < 0.1 ? Symbol(this.#pick(KEYS)) : this.#pick(KEYS) + (this.#r() < 0.5 ? '' : String(i));
      const roll = this.#r();
      if (roll < 0.1) {
        Object.defineProperty(o, key, { get: this.#rec.hook('random getter'), set: this.#rec.hook('random setter'), enumerable: true, configurable: true });
      } else {
        Object.defineProperty(o, key, { value: this.value(depth + 1), enumerable: roll > 0.2, writable: true, configurable: true });
      }
    }
    return o;
  }
}

function randomLimits(r: () => number): CaptureLimits {
  return {
    maxReferenceDepth: Math.floor(r() * 7),
    maxCollectionSize: Math.floor(r() * 120),
    maxFieldCount: Math.floor(r() * 30),
    maxLength: Math.floor(r() * 300),
  };
}

/** Every field whose name is redacted carries `redactedIdent` (symbol keys match on their description). */
function assertRedacted(node: CapturedValue, redaction: Redaction, where: string): void {
  for (const [name, child] of Object.entries(node.fields ?? {})) {
    const bare = name.startsWith('Symbol(') && name.endsWith(')') ? name.slice(7, -1) : name;
    if (redaction.isRedactedName(bare)) assert.equal(child.notCapturedReason, 'redactedIdent', `${where}.${name} is redacted`);
    assertRedacted(child, redaction, `${where}.${name}`);
  }
  for (const el of node.elements ?? []) assertRedacted(el, redaction, `${where}[]`);
  for (const [k, v] of node.entries ?? []) {
    if (k.type === 'string' && k.value !== undefined && !k.truncated && redaction.isRedactedName(k.value)) {
      assert.equal(v.notCapturedReason, 'redactedIdent', `${where}<${k.value}> is redacted`);
    }
    assertRedacted(k, redaction, `${where}<k>`);
    assertRedacted(v, redaction, `${where}<v>`);
  }
}

/**
 * Type redaction holds at every depth: a node whose type is redacted is never expanded and
 * carries no value (it says `redactedType`, or `redactedIdent` when its name was redacted first),
 * and `redactedType` appears only on redacted types.
 */
function assertTypeRedacted(node: CapturedValue, redaction: Redaction, where: string): void {
  if (node.type !== undefined && redaction.isRedactedType(node.type)) {
    assert.ok(node.fields === undefined && node.elements === undefined && node.entries === undefined, `${where}: ${node.type} is not expanded`);
    assert.equal(node.value, undefined, `${where}: ${node.type} has no value`);
    assert.ok(node.notCapturedReason === 'redactedType' || node.notCapturedReason === 'redactedIdent', `${where}: ${node.type} is marked redacted`);
  }
  if (node.notCapturedReason === 'redactedType') assert.ok(redaction.isRedactedType(node.type!), `${where}: ${node.type} is a redacted type`);
  for (const [name, child] of Object.entries(node.fields ?? {})) assertTypeRedacted(child, redaction, `${where}.${name}`);
  node.elements?.forEach((el, i) => assertTypeRedacted(el, redaction, `${where}[${i}]`));
  node.entries?.forEach(([k, v], i) => {
    assertTypeRedacted(k, redaction, `${where}<k${i}>`);
    assertTypeRedacted(v, redaction, `${where}<v${i}>`);
  });
}

describe('randomized object graphs', () => {
  it(`capture ${GRAPHS} graphs validly, within limits, running no hook (seed ${SEED})`, () => {
    const r = rng(SEED);
    const rec = new HookRecorder();
    const gen = new Generator(r, rec);
    for (let g = 0; g < GRAPHS; g++) {
      const limits = randomLimits(r);
      const redaction = new Redaction({
        redactedIdentifiers: r() < 0.3 ? ['items'] : [],
        redactionExcludedIdentifiers: r() < 0.3 ? ['session'] : [],
        redactedTypes: r() < 0.3 ? ['Secret*', 'Account'] : [],
      });
      const scope: Array<[string, unknown]> = [];
      for (let i = 0, n = 1 + Math.floor(r() * 6); i < n; i++) scope.push([r() < 0.2 ? 'token' : `v${i}`, gen.graph()]);
      // One graph in ten runs against a clock that advances 5 ms per reading, so that the budget runs out part-way.
      let ticks = 0;
      const ctx =
        r() < 0.1
          ? new CaptureContext({ limits, redaction, deadline: Math.floor(r() * 20), clock: () => (ticks += 5) })
          : new CaptureContext({ limits, redaction, deadline: performance.now() + 60_000 });
      const json = JSON.stringify(captureVariables(scope, ctx));
      const out = JSON.parse(json) as Record<string, CapturedValue>;
      const where = `graph ${g} (seed ${SEED})`;
      rec.assertNoneCalled(where);
      const names = Object.keys(out);
      assert.ok(names.length <= limits.maxFieldCount + 1, `${where}: scope within maxFieldCount`);
      for (const name of names) {
        if (name === SCOPE_LIMIT_KEY) continue;
        assertValidTree(out[name]!, limits, 1, `${where} ${name}`);
        assertRedacted(out[name]!, redaction, `${where} ${name}`);
        assertTypeRedacted(out[name]!, redaction, `${where} ${name}`);
        if (name === 'token') assert.equal(out[name]!.notCapturedReason, 'redactedIdent');
      }
    }
  });
});
