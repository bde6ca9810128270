/**
 * Side-effect-free value operations behind the operators: member reads, sizes, membership,
 * comparison guards and type checks. Nothing here looks a method up on a user value, calls a
 * getter, runs a Proxy trap or coerces an object; every failure is an {@link EvaluationFailure}.
 */
import { className } from '../safe/reflect.js';
import { EvaluationFailure, SIDE_EFFECT, plainError, typeError } from './errors.js';
import type { Frame } from './frame.js';
import type { RedactionPolicy } from './scope.js';
import {
  StringIncludes,
  MapGet,
  MapHas,
  MapSize,
  SetHas,
  SetSize,
  StringSlice,
  StringValueOf,
  SymbolToString,
  TypedArrayIncludes,
  TypedArrayLength,
  WeakMapGet,
  WeakMapHas,
  WeakSetHas,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  hasOwn,
  isArray,
  isMap,
  isProxy,
  isSet,
  isStringObject,
  isTypedArray,
  isWeakMap,
  isWeakSet,
  objectKeys,
} from '../safe/intrinsics.js';

const MAX_PROTOTYPE_HOPS = 1000;
// Globals taken at load: the application may replace them later.
const toObject = Object;
const toNumber = Number;
const toString = String;
const isInteger = Number.isInteger;

/**
 * The failure for a value hidden by identifier redaction. `valueType` is given only when the
 * hidden value is the expression's own result (see {@link ExpressionEvaluationError.valueType}).
 * The message names the identifier, never the value.
 */
export function redactedName(name: string, valueType?: string): EvaluationFailure {
  return new EvaluationFailure('Error', `"${name}" is redacted`, 'redactedIdent', valueType);
}

/**
 * Is this Map key or property key a redacted identifier? Strings match by name and symbols by
 * description (`Symbol(password)` matches `password`), as in the capture layer. Returns the
 * name to report, or undefined when the key is not redacted.
 */
export function redactedKeyName(policy: RedactionPolicy | undefined, key: unknown): string | undefined {
  if (policy === undefined) return undefined;
  if (typeof key === 'string') return policy.isRedactedName(key) ? key : undefined;
  if (typeof key === 'symbol') {
    const text = SymbolToString(key); // the intrinsic: never a patched Symbol.prototype.toString
    const description = StringSlice(text, 7, text.length - 1);
    return policy.isRedactedName(description) ? text : undefined;
  }
  return undefined;
}

/** A value's type name without looking inside it, as the capture layer reports a redacted value. */
export function typeNameOf(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object' || typeof v === 'function') return isProxy(v) ? 'Proxy' : className(v);
  return typeof v;
}

/**
 * Refuses a value whose class is a redacted type. `root`: the value is the expression's
 * result, so the failure carries its type.
 */
export function checkType(f: Frame, v: unknown, root = false): void {
  const policy = f.redaction;
  if (policy === undefined || typeof v !== 'object' || v === null) return;
  const name = className(v);
  if (policy.isRedactedType(name)) throw new EvaluationFailure('Error', `a value of type ${name} is redacted`, 'redactedType', root ? name : undefined);
}

/** A primitive string or a `String` object's primitive, else undefined. */
export function stringOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && !isProxy(v) && isStringObject(v)) return StringValueOf(v);
  return undefined;
}

/**
 * Reads `key` along the prototype chain starting at `start` (the object itself, or the
 * prototype for primitives). Accessors and Proxies are refused; a missing key is `undefined`.
 */
function readChain(start: object | null, key: PropertyKey): unknown {
  let obj = start;
  for (let hops = 0; obj !== null && hops < MAX_PROTOTYPE_HOPS; hops++) {
    if (isProxy(obj)) throw plainError(SIDE_EFFECT);
    const desc = getOwnPropertyDescriptor(obj, key);
    if (desc !== undefined) {
      if (hasOwn(desc, 'value')) return desc.value;
      throw plainError(`${SIDE_EFFECT}: property "${toString(key)}" is an accessor`);
    }
    obj = getPrototypeOf(obj);
  }
  return undefined;
}

/** Property read on any value, primitives included. */
function readMember(target: unknown, key: string | number | symbol): unknown {
  if (target === null || target === undefined) throw typeError('Cannot convert undefined or null to object');
  switch (typeof target) {
    case 'object':
    case 'function':
      return readChain(target, key);
    case 'string': {
      if (key === 'length') return target.length;
      if (typeof key !== 'symbol') {
        const idx = typeof key === 'number' ? key : canonicalIndex(key);
        if (idx >= 0 && isInteger(idx) && idx < target.length) return target[idx];
      }
      return readChain(getPrototypeOf(toObject(target)), key);
    }
    default:
      return readChain(getPrototypeOf(toObject(target)), key);
  }
}

function canonicalIndex(key: string): number {
  const n = toNumber(key);
  return toString(n) === key ? n : -1;
}

/** `getmember`: a literal property name; Maps and Sets are refused as in dd-trace-js. */
export function getMember(f: Frame, target: unknown, name: string, root = false): unknown {
  const v = readMemberOf(target, name);
  checkType(f, v, root);
  return v;
}

function readMemberOf(target: unknown, name: string): unknown {
  if (typeof target === 'object' && target !== null) {
    if (isProxy(target)) throw plainError(SIDE_EFFECT);
    if (isMap(target)) throw plainError('Accessing a Map is not allowed');
    if (isWeakMap(target)) throw plainError('Accessing a WeakMap is not allowed');
    if (isSet(target) || isWeakSet(target)) throw plainError('Accessing a Set or WeakSet is not allowed');
  }
  return readMember(target, name);
}

/**
 * The failure for `getmember` of a redacted name. At the root the (side-effect-free) read
 * gives the type to report; where it cannot be read the type is `unknown`.
 */
export function redactedMember(target: unknown, name: string, root: boolean): EvaluationFailure {
  if (!root) return redactedName(name);
  let type = 'unknown';
  try {
    type = typeNameOf(readMemberOf(target, name));
  } catch {
    // An accessor, a Proxy, a Map…: the value stays unread.
  }
  return redactedName(name, type);
}

/** `index`: a computed key; Maps go through the intrinsic `Map.prototype.get`. */
export function indexValue(f: Frame, target: unknown, key: unknown, root = false): unknown {
  const hidden = redactedKeyName(f.redaction, key);
  if (hidden !== undefined && !root) throw redactedName(hidden);
  let v: unknown;
  try {
    v = readIndex(target, key);
  } catch (e) {
    if (hidden !== undefined) throw redactedName(hidden, 'unknown');
    throw e;
  }
  if (hidden !== undefined) throw redactedName(hidden, typeNameOf(v));
  checkType(f, v, root);
  return v;
}

function readIndex(target: unknown, key: unknown): unknown {
  if (typeof target === 'object' && target !== null) {
    if (isProxy(target)) throw plainError(SIDE_EFFECT);
    if (isMap(target)) return MapGet(target, key);
    if (isWeakMap(target)) return WeakMapGet(target, key);
    if (isSet(target) || isWeakSet(target)) throw plainError('Accessing a Set or WeakSet is not allowed');
  }
  return readMember(target, propertyKey(key));
}

/** Converts a primitive key the way `obj[key]` would; objects are refused (their `toString` would run). */
function propertyKey(key: unknown): string | number | symbol {
  switch (typeof key) {
    case 'string':
    case 'number':
    case 'symbol':
      return key;
    case 'object':
      if (key === null) return 'null';
      throw typeError('Index must be a string, number or symbol');
    case 'function':
      throw typeError('Index must be a string, number or symbol');
    default:
      return toString(key);
  }
}

/** `len`/`count`. */
export function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (typeof v !== 'object' || v === null) {
    if (typeof v === 'function') return isProxy(v) ? sideEffect() : objectKeys(v).length;
    throw typeError('Cannot get length of variable');
  }
  if (isProxy(v)) return sideEffect();
  if (isArray(v)) return v.length;
  if (isTypedArray(v)) return TypedArrayLength(v);
  if (isMap(v)) return MapSize(v);
  if (isSet(v)) return SetSize(v);
  if (isStringObject(v)) return StringValueOf(v).length;
  if (isWeakMap(v) || isWeakSet(v)) throw typeError('Cannot get size of WeakSet or WeakMap');
  return objectKeys(v).length;
}

function sideEffect(): never {
  throw plainError(SIDE_EFFECT);
}

/** One array element by own data property; a hole is `undefined` (the prototype is not consulted). */
export function arrayElement(arr: unknown[], i: number): unknown {
  const desc = getOwnPropertyDescriptor(arr, i);
  if (desc === undefined) return undefined;
  if (hasOwn(desc, 'value')) return desc.value;
  throw plainError(`${SIDE_EFFECT}: element ${i} is an accessor`);
}

/** `contains`: substring, element (SameValueZero) or key membership. */
export function containsValue(haystack: unknown, needle: unknown): boolean {
  const s = stringOf(haystack);
  if (s !== undefined) {
    const n = stringOf(needle);
    if (n === undefined) throw typeError('Variable is not a string');
    return StringIncludes(s, n);
  }
  if (typeof haystack !== 'object' || haystack === null) throw typeError('Variable does not support contains');
  if (isProxy(haystack)) return sideEffect();
  if (isArray(haystack)) {
    // Own data elements only: `Array.prototype.includes` would run element getters.
    const len = haystack.length;
    for (let i = 0; i < len; i++) {
      const e = arrayElement(haystack, i);
      if (e === needle || (e !== e && needle !== needle)) return true;
    }
    return false;
  }
  if (isTypedArray(haystack)) return TypedArrayIncludes(haystack, needle);
  if (isSet(haystack)) return SetHas(haystack, needle);
  if (isMap(haystack)) return MapHas(haystack, needle);
  if (isWeakSet(haystack)) return WeakSetHas(haystack, needle);
  if (isWeakMap(haystack)) return WeakMapHas(haystack, needle);
  throw typeError('Variable does not support contains');
}

/** Operands of `lt`/`le`/`gt`/`ge`: primitives only, since an object's coercion runs user code. */
export function comparable(v: unknown): unknown {
  if ((typeof v === 'object' && v !== null) || typeof v === 'function') {
    throw plainError(`${SIDE_EFFECT} due to coercion methods`);
  }
  if (typeof v === 'symbol') throw typeError('Cannot convert a Symbol value to a number');
  return v;
}

/**
 * `instanceof` by name: lower-case JS type names test `typeof` (with `null` and `object`
 * told apart); anything else matches a constructor name along the prototype chain.
 */
export function isOfTypeName(v: unknown, type: string): boolean {
  switch (type) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
    case 'symbol':
    case 'function':
      return typeof v === type;
    case 'null':
      return v === null;
    case 'object':
      return typeof v === 'object' && v !== null;
  }
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
  let proto: object | null = v;
  for (let hops = 0; hops < MAX_PROTOTYPE_HOPS; hops++) {
    if (isProxy(proto)) return false;
    proto = getPrototypeOf(proto);
    if (proto === null || isProxy(proto)) return false;
    const ctor = getOwnPropertyDescriptor(proto, 'constructor');
    if (ctor !== undefined && hasOwn(ctor, 'value') && typeof ctor.value === 'function' && !isProxy(ctor.value)) {
      const name = getOwnPropertyDescriptor(ctor.value, 'name');
      if (name !== undefined && hasOwn(name, 'value') && name.value === type) return true;
    }
  }
  return false;
}

/** `instanceof` against a constructor found in scope, without `Symbol.hasInstance`. */
export function isInstanceOfConstructor(v: unknown, ctor: Function): boolean {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
  if (isProxy(ctor)) return false;
  const protoDesc = getOwnPropertyDescriptor(ctor, 'prototype');
  if (protoDesc === undefined || !hasOwn(protoDesc, 'value')) return false;
  const target = protoDesc.value as unknown;
  if (typeof target !== 'object' || target === null) return false;
  let p: object | null = v;
  for (let hops = 0; hops < MAX_PROTOTYPE_HOPS; hops++) {
    if (isProxy(p)) return false;
    p = getPrototypeOf(p);
    if (p === null) return false;
    if (p === target) return true;
  }
  return false;
}
