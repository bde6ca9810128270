/**
 * Values the expression tests evaluate against, rebuilt for every case. The hostile ones record
 * into `calls` whenever user code runs (a getter, a Proxy trap, `toString`, `Symbol.hasInstance`,
 * an iterator, an overridden method); a case passes only if `calls` stays empty.
 */
import { Redaction } from '../../src/capture/index.js';
import { NOT_FOUND, type EvaluationScope, type RedactionPolicy } from '../../src/expression/index.js';

export class Base {
  baseField = 1;
}
export class Foo extends Base {
  field = 'f';
  get computed(): number {
    return 7;
  }
}
export class SecretBox {
  inner = 'classified';
}

export function nullProto(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, entries);
}

/** The redaction policy of the tests: a few names, one type. */
export const TEST_REDACTION: RedactionPolicy = {
  isRedactedName: (name) => ['password', 'token', 'apikey'].includes(name.toLowerCase().replace(/[-_$@.]/g, '')),
  isRedactedType: (type) => type === 'SecretBox',
};

/**
 * The agent's own policy (the built-in identifier list and its normalisation), with one extra
 * identifier and a wildcard type, as DD_DYNAMIC_INSTRUMENTATION_REDACTED_IDENTIFIERS and
 * …_REDACTED_TYPES would configure it.
 */
export const PRODUCTION_REDACTION: RedactionPolicy = new Redaction({
  redactedIdentifiers: ['customSecretName'],
  redactionExcludedIdentifiers: [],
  redactedTypes: ['Secret*'],
});

export function recordingProxy<T extends object>(target: T, calls: string[]): T {
  const handler: ProxyHandler<T> = {};
  for (const trap of [
    'get', 'set', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'defineProperty',
    'deleteProperty', 'apply', 'construct', 'isExtensible', 'preventExtensions', 'setPrototypeOf',
  ] as const) {
    (handler as Record<string, unknown>)[trap] = (...args: unknown[]) => {
      calls.push(`proxy.${trap}`);
      return (Reflect as unknown as Record<string, (...a: unknown[]) => unknown>)[trap]!(...args);
    };
  }
  return new Proxy(target, handler);
}

export function fixture(calls: string[]): Record<string, unknown> {
  const rec = (what: string) => () => {
    calls.push(what);
    return 1;
  };
  class Hostile {
    static [Symbol.hasInstance](): boolean {
      calls.push('hasInstance');
      return true;
    }
  }
  class ProtoGetter {
    get value(): number {
      calls.push('proto getter');
      return 1;
    }
  }
  class SneakyMap extends Map<unknown, unknown> {
    override get size(): number {
      calls.push('size getter');
      return 99;
    }
    override get(k: unknown): unknown {
      calls.push('map.get');
      return super.get(k);
    }
    override has(k: unknown): boolean {
      calls.push('map.has');
      return super.has(k);
    }
    override entries(): MapIterator<[unknown, unknown]> {
      calls.push('map.entries');
      return super.entries();
    }
    override [Symbol.iterator](): MapIterator<[unknown, unknown]> {
      calls.push('map.iterator');
      return super[Symbol.iterator]();
    }
  }
  class SneakySet extends Set<unknown> {
    override get size(): number {
      calls.push('set size getter');
      return 99;
    }
    override has(v: unknown): boolean {
      calls.push('set.has');
      return super.has(v);
    }
    override values(): SetIterator<unknown> {
      calls.push('set.values');
      return super.values();
    }
  }
  class SneakyArray extends Array<unknown> {
    override includes(): boolean {
      calls.push('array.includes');
      return true;
    }
  }
  class SubRegExp extends RegExp {}
  const getterArr: unknown[] = [1, 2, 3];
  Object.defineProperty(getterArr, 1, { get: rec('element getter'), enumerable: true });
  const iterArr = [1, 2, 3] as unknown[] & { [Symbol.iterator]?: unknown };
  Object.defineProperty(iterArr, Symbol.iterator, { value: rec('array iterator') });
  const ownExecRe = /abc/;
  Object.defineProperty(ownExecRe, 'exec', { value: rec('regex exec') });
  Object.defineProperty(ownExecRe, 'test', { value: rec('regex test') });
  const sneakyString = new String('hello') as unknown as Record<string, unknown>;
  sneakyString['startsWith'] = rec('string startsWith');
  sneakyString['includes'] = rec('string includes');
  sneakyString['valueOf'] = rec('string valueOf');
  sneakyString['toString'] = rec('string toString');
  const sneakyArray = new SneakyArray();
  sneakyArray.push(1, 2);
  const tagged = {};
  Object.defineProperty(Object.setPrototypeOf(tagged, Object.create(null, { [Symbol.toStringTag]: { get: rec('toStringTag') } })), 'x', {
    value: 1,
    enumerable: true,
  });
  const passwordSym = Symbol('password');
  const tokenSym = Symbol('token');
  const ctorGetter = Object.create({});
  Object.defineProperty(Object.getPrototypeOf(ctorGetter), 'constructor', { get: rec('constructor getter') });

  return {
    n: 42,
    neg: -1,
    fl: 1.5,
    zero: 0,
    nan: NaN,
    big: 10n,
    s: 'hello',
    emptyStr: '',
    sObj: new String('hello'),
    yes: true,
    no: false,
    nul: null,
    undef: undefined,
    sym: Symbol('tag'),
    arr: [1, 2, 3],
    emptyArr: [],
    strs: ['a', 'beta'],
    holes: [1, , 3], // eslint-disable-line no-sparse-arrays
    nanArr: [NaN],
    nestedArr: [[1], [2, 3]],
    objArr: [{ price: 5 }, { price: 15 }],
    ta: new Uint8Array([1, 2, 3]),
    f64: new Float64Array([0.5, NaN]),
    set: new Set([1, 'a']),
    emptySet: new Set(),
    map: new Map<unknown, unknown>([['k', 1], ['j', 2]]),
    numMap: new Map([[1, 'one']]),
    emptyMap: new Map(),
    wm: new WeakMap(),
    ws: new WeakSet(),
    obj: { a: 1, b: { c: 2 }, 'x-y': 3 },
    emptyObj: {},
    nullProtoObj: nullProto({ a: 1 }),
    user: { id: 42, name: 'bob', tags: ['x', 'beta'], address: { city: 'Paris' }, email: '' },
    fn: function named() {},
    Foo,
    Base,
    inst: new Foo(),
    date: new Date(0),
    re: /b+/,
    badPattern: '(a',
    reI: /B+/i,
    err: new TypeError('boom'),
    password: 'hunter2',
    creds: { password: 'x', token: 't', ok: 1 },
    // Secrets for the leak rows: each text must never appear in a result, message or error.
    credMap: new Map([['password', '(hunter2'], ['ok', 'y']]),
    credList: [{ password: 'list-hunter2' }],
    secretPattern: '(hunter2',
    passwordSym,
    tokenSym,
    symCredMap: new Map<unknown, unknown>([[passwordSym, 'sym-hunter2'], [Symbol('ok'), 'y']]),
    symCreds: { [tokenSym]: 'sym-token-value', ok: 1 },
    secretList: [new SecretBox()],
    boxMap: new Map([['b', new SecretBox()]]),
    keyBoxMap: new Map([[new SecretBox(), 1]]),
    custom: { 'Custom-Secret_Name': 'custom-hunter2', ok: 1 },
    box: new SecretBox(),
    boxHolder: { box: new SecretBox(), n: 1 },
    // Hostile values: any access to user code records a call.
    getterObj: Object.defineProperty({ plain: 2 }, 'secret', { get: rec('own getter'), enumerable: true }),
    setterOnly: Object.defineProperty({}, 'w', { set: rec('setter'), enumerable: true }),
    protoGetter: new ProtoGetter(),
    proxy: recordingProxy({ a: 1 }, calls),
    proxyArr: recordingProxy([1, 2, 3], calls),
    proxyMap: recordingProxy(new Map([['k', 1]]), calls),
    proxyFn: recordingProxy(function pf() {}, calls),
    protoProxy: Object.create(recordingProxy({ inherited: 1 }, calls)),
    Hostile,
    hostileInst: new Hostile(),
    coercing: { toString: rec('toString'), valueOf: rec('valueOf') },
    toPrim: { [Symbol.toPrimitive]: rec('toPrimitive') },
    dateObj: new Date(1000),
    sneakyMap: new SneakyMap([['k', 1]]),
    sneakySet: new SneakySet([1, 2]),
    sneakyArray,
    sneakyString,
    getterArr,
    iterArr,
    ownExecRe,
    subRe: new SubRegExp('a'),
    lengthGetter: Object.defineProperty({}, 'length', { get: rec('length getter'), enumerable: true }),
    tagged,
    ctorGetter,
    bigArr: Array.from({ length: 1000 }, (_, i) => i),
  };
}

export interface ScopeExtras {
  thisValue?: unknown;
  returnValue?: unknown;
  duration?: number;
  exception?: unknown;
  deadline?: number;
  budgetMs?: number;
}

export function scopeOf(vars: Record<string, unknown>, extras: ScopeExtras = {}): EvaluationScope {
  const lookup = (name: string): unknown => (Object.hasOwn(vars, name) ? vars[name] : NOT_FOUND);
  return { lookup, ...extras };
}
