/**
 * Hostile values for the capture safety tests: every hook an in-process serializer could run by
 * accident (getters, setters, Proxy traps, conversion methods, overridden built-ins) records its
 * call and throws. Shared by hostile.test.ts and the randomized test.
 */
import assert from 'node:assert/strict';
import { inspect, types } from 'node:util';

type Hook = (...args: unknown[]) => never;

/** Every Proxy trap. */
const TRAPS = [
  'apply',
  'construct',
  'defineProperty',
  'deleteProperty',
  'get',
  'getOwnPropertyDescriptor',
  'getPrototypeOf',
  'has',
  'isExtensible',
  'ownKeys',
  'preventExtensions',
  'set',
  'setPrototypeOf',
] as const;

function accessor(get: Hook | undefined, set: Hook | undefined, enumerable = true): PropertyDescriptor {
  // A null-prototype descriptor, so that hooks installed on Object.prototype are not consulted.
  return { __proto__: null, get, set, enumerable, configurable: true } as PropertyDescriptor;
}

export class HookRecorder {
  readonly calls: string[] = [];

  /** A function that records `name` when called and throws. */
  hook(name: string): Hook {
    const calls = this.calls;
    return function hostileHook(): never {
      calls[calls.length] = name; // not push: Array.prototype.push may be one of the patched hooks
      throw new Error(`hook ran: ${name}`);
    };
  }

  assertNoneCalled(context = ''): void {
    assert.deepEqual(this.calls, [], `hooks ran ${context}`);
  }

  /** A Proxy handler whose every trap records. */
  handler(tag: string): ProxyHandler<object> {
    const h: Record<string, Hook> = {};
    for (const trap of TRAPS) h[trap] = this.hook(`${tag}.${trap}`);
    return h as ProxyHandler<object>;
  }

  /** A plain object with every conversion and inspection hook as a recording function or accessor. */
  hookedObject(): object {
    const o: Record<PropertyKey, unknown> = {
      plain: 1,
      toString: this.hook('toString'),
      valueOf: this.hook('valueOf'),
      toJSON: this.hook('toJSON'),
      then: this.hook('then'),
      [Symbol.toPrimitive]: this.hook('toPrimitive'),
      [Symbol.iterator]: this.hook('iterator'),
      [inspect.custom]: this.hook('inspect.custom'),
    };
    Object.defineProperty(o, 'getter', accessor(this.hook('getter'), undefined));
    Object.defineProperty(o, 'setter', accessor(undefined, this.hook('setter')));
    Object.defineProperty(o, 'both', accessor(this.hook('both.get'), this.hook('both.set')));
    Object.defineProperty(o, 'password', accessor(this.hook('password'), undefined));
    Object.defineProperty(o, 'stack', accessor(this.hook('stack'), undefined, false));
    Object.defineProperty(o, 'constructor', accessor(this.hook('own constructor'), undefined, false));
    Object.defineProperty(o, Symbol.toStringTag, accessor(this.hook('toStringTag'), undefined, false));
    Object.defineProperty(o, 'name', accessor(this.hook('name'), undefined));
    return o;
  }

  /** A class instance whose prototype hides `constructor`, `Symbol.toStringTag` and `Symbol.hasInstance` behind hooks. */
  hookedInstance(): object {
    class Hostile {
      field = 1;
    }
    Object.defineProperty(Hostile, Symbol.hasInstance, { value: this.hook('hasInstance') });
    Object.defineProperty(Hostile.prototype, 'constructor', accessor(this.hook('proto constructor'), undefined, false));
    Object.defineProperty(Hostile.prototype, Symbol.toStringTag, accessor(this.hook('proto toStringTag'), undefined, false));
    Object.defineProperty(Hostile.prototype, 'field2', accessor(this.hook('proto field2'), undefined));
    const inst = new Hostile();
    Object.defineProperty(inst, 'self', { value: inst, enumerable: true });
    return inst;
  }

  /** Proxies in every position: value, prototype, callable, class, revoked, Proxy handler. */
  proxies(): Record<string, unknown> {
    const p = <T extends object>(target: T, tag: string): T => new Proxy(target, this.handler(tag) as ProxyHandler<T>);
    const revocable = Proxy.revocable({}, this.handler('revoked'));
    revocable.revoke();
    const err = new Error('e');
    Object.setPrototypeOf(err, p(Error.prototype, 'errorProto'));
    const map = new Map([[1, 2]]);
    Object.setPrototypeOf(map, p(Map.prototype, 'mapProto'));
    return {
      plain: p({ a: 1 }, 'plain'),
      array: p([1, 2], 'array'),
      map: p(new Map([[1, 1]]), 'map'),
      callable: p(function f() {}, 'callable'),
      klass: p(class K {}, 'klass'),
      revoked: revocable.proxy,
      protoIsProxy: Object.defineProperty(Object.create(p({}, 'proto')) as object, 'x', { value: 1, enumerable: true }),
      deepProto: Object.create(Object.create(p({}, 'deepProto')) as object) as object,
      errorWithProxyProto: err,
      mapWithProxyProto: map,
      proxyHandler: new Proxy({}, p({}, 'handlerProxy') as ProxyHandler<object>),
    };
  }

  /** Map, Set, Array and typed-array subclasses whose iteration, size and accessors are hooks. */
  hookedCollections(): { map: Map<unknown, unknown>; set: Set<unknown>; array: unknown[]; typed: Uint8Array } {
    class HostileMap extends Map<unknown, unknown> {}
    class HostileSet extends Set<unknown> {}
    class HostileArray extends Array<unknown> {}
    class HostileBytes extends Uint8Array {}
    const map = new HostileMap([
      [1, 'a'],
      [2, 'b'],
    ]);
    const set = new HostileSet([1, 2]);
    const array = new HostileArray();
    array.push(1, 2);
    array.length = 3; // index 2 is a hole
    const typed = new HostileBytes(4);
    for (const [proto, names] of [
      [HostileMap.prototype, ['entries', 'keys', 'values', 'forEach', 'get', 'has', Symbol.iterator]],
      [HostileSet.prototype, ['entries', 'keys', 'values', 'forEach', 'has', Symbol.iterator]],
      [HostileArray.prototype, ['map', 'forEach', 'slice', 'at', Symbol.iterator]],
      [HostileBytes.prototype, ['subarray', 'slice', 'at', 'values', Symbol.iterator]],
    ] as const) {
      for (const name of names) Object.defineProperty(proto, name, { value: this.hook(`${String(name)} method`) });
    }
    Object.defineProperty(HostileMap.prototype, 'size', accessor(this.hook('map size'), undefined));
    Object.defineProperty(HostileSet.prototype, 'size', accessor(this.hook('set size'), undefined));
    Object.defineProperty(HostileBytes.prototype, 'length', accessor(this.hook('typed length'), undefined));
    Object.defineProperty(HostileArray.prototype, 2, accessor(this.hook('inherited index'), undefined));
    Object.defineProperty(HostileArray, Symbol.species, accessor(this.hook('species'), undefined));
    Object.defineProperty(map, 'size', accessor(this.hook('own map size'), undefined));
    return { map, set, array, typed };
  }

  /** Dates, regexps, boxed primitives, functions and classes with their accessors replaced by hooks. */
  hookedBuiltins(): Record<string, unknown> {
    const date = new Date('2020-01-01T00:00:00.000Z');
    for (const name of ['toISOString', 'getTime', 'valueOf', 'toJSON', 'toString']) Object.defineProperty(date, name, { value: this.hook(`date.${name}`) });
    const regexp = /x/g;
    for (const name of ['source', 'flags', 'global', 'ignoreCase']) Object.defineProperty(regexp, name, accessor(this.hook(`regexp.${name}`), undefined));
    Object.defineProperty(regexp, 'exec', { value: this.hook('regexp.exec') });
    const boxed = new String('inner');
    for (const name of ['valueOf', 'toString']) Object.defineProperty(boxed, name, { value: this.hook(`boxed.${name}`) });
    const fn = function named(): void {};
    Object.defineProperty(fn, 'name', accessor(this.hook('fn.name'), undefined));
    Object.defineProperty(fn, 'toString', { value: this.hook('fn.toString') });
    const klass = class {};
    Object.defineProperty(klass, 'name', accessor(this.hook('class.name'), undefined));
    Object.defineProperty(klass, 'toString', { value: this.hook('class.toString') });
    return { date, regexp, boxed, fn, klass };
  }

  /** An error whose header fields (read when V8 formats `stack`) and cause are hooks. */
  hookedError(): Error {
    class HookedError extends Error {}
    Object.defineProperty(HookedError.prototype, 'name', accessor(this.hook('error name'), undefined));
    const e = new HookedError('m');
    Object.defineProperty(e, 'cause', accessor(this.hook('error cause'), undefined));
    return e;
  }

  /**
   * Replaces built-ins the way an application (or a polyfill) might after the agent loaded.
   * Returns a function that restores them.
   */
  patchBuiltins(): () => void {
    // Everything this method itself needs is taken before anything is patched.
    const getDescriptor = Object.getOwnPropertyDescriptor;
    const define = Reflect.defineProperty;
    const toText = String;
    const saved: Array<[object, PropertyKey, PropertyDescriptor]> = [];
    const patch = (target: object, key: PropertyKey, asAccessor = false): void => {
      const desc = getDescriptor(target, key);
      if (desc === undefined) throw new Error(`nothing to patch at ${toText(key)}`);
      saved[saved.length] = [target, key, desc];
      const hook = this.hook(`patched ${toText(key)}`);
      define(target, key, asAccessor ? accessor(hook, undefined, false) : { value: hook, writable: true, configurable: true });
    };
    const restore = (): void => {
      for (let i = saved.length - 1; i >= 0; i--) define(saved[i]![0], saved[i]![1], saved[i]![2]);
    };
    try {
      const arrayIteratorProto = Object.getPrototypeOf([][Symbol.iterator]()) as object;
      const mapIteratorProto = Object.getPrototypeOf(new Map().entries()) as object;
      const performanceProto = Object.getPrototypeOf(performance) as object;
      patch(Map.prototype, 'entries');
      patch(Map.prototype, Symbol.iterator);
      patch(Map.prototype, 'get');
      patch(Map.prototype, 'set');
      patch(Map.prototype, 'size', true);
      patch(mapIteratorProto, 'next');
      patch(Set.prototype, 'values');
      patch(Set.prototype, 'has');
      patch(Set.prototype, 'size', true);
      patch(Array.prototype, Symbol.iterator);
      patch(Array.prototype, 'push');
      patch(Array.prototype, 'slice');
      patch(arrayIteratorProto, 'next');
      const stringMethods = ['slice', 'toLowerCase', 'startsWith', 'replace', 'replaceAll', 'charCodeAt', 'indexOf', 'includes'];
      // An index loop: the array iterator is patched by now.
      for (let i = 0; i < stringMethods.length; i++) patch(String.prototype, stringMethods[i]!);
      patch(Symbol.prototype, 'description', true);
      patch(Symbol.prototype, 'toString');
      patch(Date.prototype, 'toISOString');
      patch(Date.prototype, 'getTime');
      patch(RegExp.prototype, 'source', true);
      patch(RegExp.prototype, 'flags', true);
      patch(RegExp.prototype, 'exec');
      patch(Function.prototype, 'toString');
      patch(Object, 'getOwnPropertyDescriptor');
      patch(Object, 'getPrototypeOf');
      patch(Object, 'hasOwn');
      patch(Object, 'keys');
      patch(Reflect, 'ownKeys');
      patch(Reflect, 'apply');
      patch(Array, 'isArray');
      patch(types, 'isProxy');
      patch(types, 'isMap');
      patch(performanceProto, 'now');
      patch(globalThis, 'String');
    } catch (err) {
      restore();
      throw err;
    }
    return restore;
  }
}
