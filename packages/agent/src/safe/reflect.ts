/**
 * Reflection that never runs user code: no getters, no Proxy traps, no `toString`,
 * no `Symbol.hasInstance`. Everything the capture layer and the expression language read goes
 * through here. Proxies are detected first, because even `Object.getPrototypeOf` runs a trap.
 */
import { defineProperty, ErrorConstructor, getOwnPropertyDescriptor, getPrototypeOf, hasOwn, isProxy } from './intrinsics.js';

export { isProxy };

/** Result of {@link readProperty} when there is no readable data property. */
export const NO_VALUE: unique symbol = Symbol('periscope.noValue');

export type PropertyRead =
  | { kind: 'data'; value: unknown }
  | { kind: 'accessor'; hasGetter: boolean; hasSetter: boolean }
  | { kind: 'missing' }
  | { kind: 'proxy' };

/**
 * Looks a property up along the prototype chain without invoking anything.
 * Accessors are reported, not called; a Proxy anywhere on the chain stops the walk.
 */
export function readProperty(target: object, key: PropertyKey): PropertyRead {
  let obj: object | null = target;
  for (let hops = 0; obj !== null && hops < 1000; hops++) {
    if (isProxy(obj)) return { kind: 'proxy' };
    const desc = getOwnPropertyDescriptor(obj, key);
    if (desc !== undefined) {
      if (hasOwn(desc, 'value')) return { kind: 'data', value: desc.value };
      return { kind: 'accessor', hasGetter: desc.get !== undefined, hasSetter: desc.set !== undefined };
    }
    obj = getPrototypeOf(obj);
  }
  return { kind: 'missing' };
}

/** The value of an own or inherited data property, or {@link NO_VALUE}. */
export function readDataProperty(target: object, key: PropertyKey): unknown {
  const r = readProperty(target, key);
  return r.kind === 'data' ? r.value : NO_VALUE;
}

/** Safe prototype read: `null` for a Proxy (whose trap would run). */
export function safePrototypeOf(obj: object): object | null {
  if (isProxy(obj)) return null;
  return getPrototypeOf(obj);
}

/**
 * The class name of an object: the `name` data property of the `constructor` data property
 * found on the prototype chain, falling back to `"Object"`. Never calls a getter.
 */
export function className(obj: object): string {
  if (isProxy(obj)) return 'Proxy';
  let proto = getPrototypeOf(obj);
  if (proto === null) return 'Object';
  for (let hops = 0; proto !== null && hops < 100; hops++) {
    if (isProxy(proto)) return 'Object';
    const desc = getOwnPropertyDescriptor(proto, 'constructor');
    if (desc !== undefined && hasOwn(desc, 'value') && typeof desc.value === 'function') {
      const name = readDataProperty(desc.value as object, 'name');
      if (typeof name === 'string' && name !== '') return name;
      return 'Object';
    }
    proto = getPrototypeOf(proto);
  }
  return 'Object';
}

/** True when `ctor.prototype` is on `obj`'s prototype chain, without `Symbol.hasInstance`. */
export function isInstanceOf(obj: object, ctor: Function): boolean {
  const protoRead = readProperty(ctor, 'prototype');
  if (protoRead.kind !== 'data' || typeof protoRead.value !== 'object' || protoRead.value === null) return false;
  let p = safePrototypeOf(obj);
  for (let hops = 0; p !== null && hops < 1000; hops++) {
    if (p === protoRead.value) return true;
    p = safePrototypeOf(p);
  }
  return false;
}

export { hasOwn };

/**
 * Runs `fn` with `Error.stackTraceLimit` set to `limit`. The application may have turned that
 * property into an accessor: it is then left alone (no setter of the application runs) and
 * `fn` runs with whatever limit is in effect.
 */
export function withStackTraceLimit<T>(limit: number, fn: () => T): T {
  const desc = getOwnPropertyDescriptor(ErrorConstructor, 'stackTraceLimit');
  if (desc === undefined || !hasOwn(desc, 'value') || desc.writable !== true) return fn();
  const previous = desc.value as unknown;
  ErrorConstructor.stackTraceLimit = limit;
  try {
    return fn();
  } finally {
    ErrorConstructor.stackTraceLimit = previous as number;
  }
}

/**
 * Runs `fn` with `hook` as the `Error.prepareStackTrace` that Node consults when a recorded stack
 * is formatted (it reads it from the current global `Error`), and returns undefined without
 * running `fn` when that cannot be done without running application code: a global `Error` or
 * a `prepareStackTrace` that is an accessor or a Proxy, or an `Error` that cannot be changed.
 */
export function withPrepareStackTrace<T>(hook: (error: Error, sites: NodeJS.CallSite[]) => unknown, fn: () => T): T | undefined {
  const global = getOwnPropertyDescriptor(globalThis, 'Error');
  const ErrorNow = global && hasOwn(global, 'value') ? (global.value as unknown) : undefined;
  if (typeof ErrorNow !== 'function') return undefined;
  const current = readProperty(ErrorNow, 'prepareStackTrace').kind;
  if (current === 'accessor' || current === 'proxy') return undefined;
  const own = getOwnPropertyDescriptor(ErrorNow, 'prepareStackTrace');
  try {
    defineProperty(ErrorNow, 'prepareStackTrace', { value: hook, writable: true, configurable: true, enumerable: own?.enumerable ?? false });
  } catch {
    return undefined; // frozen, or a non-configurable property
  }
  try {
    return fn();
  } finally {
    if (own) defineProperty(ErrorNow, 'prepareStackTrace', own);
    else delete (ErrorNow as { prepareStackTrace?: unknown }).prepareStackTrace;
  }
}
