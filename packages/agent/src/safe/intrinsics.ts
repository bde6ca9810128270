/**
 * Built-ins the capture layer and the expression runtime call, taken once when the agent loads.
 * The application may later replace `Map.prototype.get`, `String.prototype.slice`,
 * `performance.now`, `Function.prototype.call` or a collection's `size` getter; these references
 * keep pointing at the engine's own code, which reads internal slots and never calls back into
 * JavaScript. They also work on objects from other realms (`vm` contexts), because the brand
 * checks look at internal slots, not at prototypes.
 *
 * One calling convention: methods and getters are uncurried, `StringSlice(s, 0, n)` for
 * `s.slice(0, n)`. `uncurryThis` binds through the original `call`, so a patched
 * `Function.prototype.call` is never consulted, and a call allocates no argument array.
 */
import { performance } from 'node:perf_hooks';
import { types } from 'node:util';

const uncurryThis = Function.prototype.bind.bind(Function.prototype.call) as <T, A extends unknown[], R>(
  fn: (this: T, ...args: A) => R,
) => (self: T, ...args: A) => R;

function getter(proto: object, key: PropertyKey): (self: unknown) => unknown {
  const get = Object.getOwnPropertyDescriptor(proto, key)?.get;
  if (get === undefined) throw new Error(`intrinsic getter ${String(key)} is missing`);
  return uncurryThis(get as (this: unknown) => unknown);
}

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

/** Calls a function found at run time (e.g. a native getter) with `self` as `this`. */
export const callWithThis = uncurryThis(Function.prototype.call) as (fn: Function, self: unknown, ...args: unknown[]) => unknown;

export const ownKeys = Reflect.ownKeys;
export const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const defineProperty = Object.defineProperty;
export const getPrototypeOf = Object.getPrototypeOf as (o: object) => object | null;
export const objectKeys = Object.keys;
export const objectCreate = Object.create;
export const hasOwn = Object.hasOwn;
export const isArray = Array.isArray;
export const toStringPrimitive = String;
export const ObjectPrototype = Object.prototype;
export const ErrorConstructor = Error;
export const ReferenceErrorPrototype = ReferenceError.prototype;
export const now = performance.now.bind(performance);

export const StringValueOf = uncurryThis(String.prototype.valueOf as (this: unknown) => string);
export const StringStartsWith = uncurryThis(String.prototype.startsWith);
export const StringEndsWith = uncurryThis(String.prototype.endsWith);
export const StringIncludes = uncurryThis(String.prototype.includes);
export const StringIndexOf = uncurryThis(String.prototype.indexOf);
export const StringSubstring = uncurryThis(String.prototype.substring);
export const StringSlice = uncurryThis(String.prototype.slice);
export const StringToLowerCase = uncurryThis(String.prototype.toLowerCase);
export const NumberValueOf = uncurryThis(Number.prototype.valueOf as (this: unknown) => number);
export const BooleanValueOf = uncurryThis(Boolean.prototype.valueOf as (this: unknown) => boolean);
export const BigIntValueOf = uncurryThis(BigInt.prototype.valueOf as (this: unknown) => bigint);
export const SymbolValueOf = uncurryThis(Symbol.prototype.valueOf as (this: unknown) => symbol);
export const SymbolToString = uncurryThis(Symbol.prototype.toString as (this: unknown) => string);
export const FunctionToString = uncurryThis(Function.prototype.toString as (this: unknown) => string);
export const DateGetTime = uncurryThis(Date.prototype.getTime as (this: unknown) => number);
export const DateToISOString = uncurryThis(Date.prototype.toISOString as (this: unknown) => string);
export const RegExpExec = uncurryThis(RegExp.prototype.exec as (this: RegExp, s: string) => RegExpExecArray | null);
export const RegExpSource = getter(RegExp.prototype, 'source') as (re: unknown) => string;

/** Flag getters in `RegExp.prototype.flags` order; each reads an internal slot. */
export const RegExpFlagGetters: ReadonlyArray<readonly [string, (re: unknown) => unknown]> = (
  [
    ['d', 'hasIndices'],
    ['g', 'global'],
    ['i', 'ignoreCase'],
    ['m', 'multiline'],
    ['s', 'dotAll'],
    ['u', 'unicode'],
    ['v', 'unicodeSets'],
    ['y', 'sticky'],
  ] as const
)
  .filter(([, name]) => Object.getOwnPropertyDescriptor(RegExp.prototype, name)?.get !== undefined)
  .map(([flag, name]) => [flag, getter(RegExp.prototype, name)] as const);

export const ArrayJoin = uncurryThis(Array.prototype.join as (this: unknown[], sep: string) => string);
export const ArrayPop = uncurryThis(Array.prototype.pop as (this: unknown[]) => unknown);
export const ArrayPush = uncurryThis(Array.prototype.push as (this: unknown[], ...items: unknown[]) => number);
export const ArraySlice = uncurryThis(Array.prototype.slice as <T>(this: T[], start?: number, end?: number) => T[]);
export const TypedArrayLength = getter(TypedArrayPrototype, 'length') as (ta: unknown) => number;
export const TypedArrayIncludes = uncurryThis(
  (TypedArrayPrototype as { includes: (this: unknown, v: unknown) => boolean }).includes,
);
export const ArrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength') as (buf: unknown) => number;
export const SharedArrayBufferByteLength = getter(SharedArrayBuffer.prototype, 'byteLength') as (buf: unknown) => number;
export const DataViewByteLength = getter(DataView.prototype, 'byteLength') as (view: unknown) => number;
export const DataViewByteOffset = getter(DataView.prototype, 'byteOffset') as (view: unknown) => number;

export const MapGet = uncurryThis(Map.prototype.get as (this: unknown, k: unknown) => unknown);
export const MapHas = uncurryThis(Map.prototype.has as (this: unknown, k: unknown) => boolean);
export const MapSet = uncurryThis(Map.prototype.set as (this: unknown, k: unknown, v: unknown) => unknown);
export const MapClear = uncurryThis(Map.prototype.clear as (this: unknown) => void);
export const MapSize = getter(Map.prototype, 'size') as (m: unknown) => number;
export const MapEntries = uncurryThis(Map.prototype.entries as (this: unknown) => Iterator<[unknown, unknown]>);
export const MapIteratorNext = uncurryThis(
  (Object.getPrototypeOf(new Map().entries()) as { next: (this: unknown) => IteratorResult<[unknown, unknown]> }).next,
);
export const SetHas = uncurryThis(Set.prototype.has as (this: unknown, v: unknown) => boolean);
export const SetSize = getter(Set.prototype, 'size') as (s: unknown) => number;
export const SetValues = uncurryThis(Set.prototype.values as (this: unknown) => Iterator<unknown>);
export const SetIteratorNext = uncurryThis(
  (Object.getPrototypeOf(new Set().values()) as { next: (this: unknown) => IteratorResult<unknown> }).next,
);
export const WeakMapGet = uncurryThis(WeakMap.prototype.get as (this: unknown, k: unknown) => unknown);
export const WeakMapHas = uncurryThis(WeakMap.prototype.has as (this: unknown, k: unknown) => boolean);
export const WeakMapSet = uncurryThis(WeakMap.prototype.set as (this: unknown, k: unknown, v: unknown) => unknown);
export const WeakSetHas = uncurryThis(WeakSet.prototype.has as (this: unknown, v: unknown) => boolean);

export const {
  isAnyArrayBuffer,
  isArgumentsObject,
  isArrayBufferView,
  isBigIntObject,
  isBooleanObject,
  isBoxedPrimitive,
  isDate,
  isGeneratorObject,
  isMap,
  isMapIterator,
  isModuleNamespaceObject,
  isNativeError,
  isNumberObject,
  isPromise,
  isProxy,
  isRegExp,
  isSet,
  isSetIterator,
  isSharedArrayBuffer,
  isStringObject,
  isTypedArray,
  isWeakMap,
  isWeakSet,
} = types;
