/**
 * Built-ins the serializer calls, taken once when the agent loads. The application may later
 * replace `Map.prototype.entries`, `String`, `performance.now` or a collection's `size` getter;
 * these references keep pointing at the engine's own code, which reads internal slots and never
 * calls back into JavaScript. They also work on objects from other realms (`vm` contexts),
 * because the brand checks look at internal slots, not at prototypes.
 */
import { performance } from 'node:perf_hooks';
import { types } from 'node:util';

function getter(proto: object, key: PropertyKey): (this: unknown) => unknown {
  const desc = Object.getOwnPropertyDescriptor(proto, key);
  const get = desc?.get;
  if (get === undefined) throw new Error(`intrinsic getter ${String(key)} is missing`);
  return get;
}

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

export const apply = Reflect.apply;
export const ownKeys = Reflect.ownKeys;
export const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
export const defineProperty = Object.defineProperty;
export const hasOwn = Object.hasOwn;
export const isArray = Array.isArray;
export const getPrototypeOf = Object.getPrototypeOf;
export const toStringPrimitive = String;
export const now = performance.now.bind(performance);

export const MapEntries = Map.prototype.entries;
export const MapSize = getter(Map.prototype, 'size');
export const MapIteratorNext = (Object.getPrototypeOf(new Map().entries()) as { next: () => unknown }).next;
export const SetValues = Set.prototype.values;
export const SetSize = getter(Set.prototype, 'size');
export const SetIteratorNext = (Object.getPrototypeOf(new Set().values()) as { next: () => unknown }).next;

export const TypedArrayLength = getter(TypedArrayPrototype, 'length');
export const ArrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
export const SharedArrayBufferByteLength = getter(SharedArrayBuffer.prototype, 'byteLength');
export const DataViewByteLength = getter(DataView.prototype, 'byteLength');
export const DataViewByteOffset = getter(DataView.prototype, 'byteOffset');

export const DateGetTime = Date.prototype.getTime;
export const DateToISOString = Date.prototype.toISOString;
export const RegExpSource = getter(RegExp.prototype, 'source');
/** Flag getters in `RegExp.prototype.flags` order; each reads an internal slot. */
export const RegExpFlagGetters: ReadonlyArray<readonly [string, (this: unknown) => unknown]> = (
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

export const StringValueOf = String.prototype.valueOf;
export const NumberValueOf = Number.prototype.valueOf;
export const BooleanValueOf = Boolean.prototype.valueOf;
export const BigIntValueOf = BigInt.prototype.valueOf;
export const SymbolValueOf = Symbol.prototype.valueOf;
export const FunctionToString = Function.prototype.toString;
export const StringSlice = String.prototype.slice;
export const StringIndexOf = String.prototype.indexOf;
export const ArraySlice = Array.prototype.slice;
export const StringToLowerCase = String.prototype.toLowerCase;
export const SetHas = Set.prototype.has;
export const MapGet = Map.prototype.get;
export const MapSet = Map.prototype.set;
export const MapClear = Map.prototype.clear;
export const WeakMapGet = WeakMap.prototype.get;
export const WeakMapSet = WeakMap.prototype.set;

/** The realm's own `Error` and `Object.prototype`, for the stack-formatting safety check. */
export const MainError = Error;
export const ObjectPrototype = Object.prototype;
export const realmGlobal: object = globalThis;
/**
 * Node's own `Error.prepareStackTrace` (Node 20 installs one that calls its internal formatter),
 * recognised by name when the agent loads; `undefined` when absent or already replaced.
 */
export const NodeDefaultPrepareStackTrace: unknown = (() => {
  const desc = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  if (desc === undefined || !Object.hasOwn(desc, 'value') || typeof desc.value !== 'function') return undefined;
  const name = Object.getOwnPropertyDescriptor(desc.value, 'name');
  return name !== undefined && Object.hasOwn(name, 'value') && name.value === 'ErrorPrepareStackTrace' ? desc.value : undefined;
})();
/**
 * V8's native `stack` getters. Depending on the V8 version, `error.stack` is an own data property
 * that formats lazily when read (V8 11, Node 20), or an accessor whose getter is a native function
 * on the error or on Error.prototype (later versions). Collected once, from every place it may be.
 */
export const ErrorStackGetters: ReadonlyArray<(this: unknown) => unknown> = (() => {
  const found: Array<(this: unknown) => unknown> = [];
  const add = (desc: PropertyDescriptor | undefined): void => {
    if (desc !== undefined && Object.hasOwn(desc, 'get') && typeof desc.get === 'function' && !found.includes(desc.get)) found.push(desc.get);
  };
  const probe = {};
  Error.captureStackTrace(probe);
  add(Object.getOwnPropertyDescriptor(probe, 'stack'));
  add(Object.getOwnPropertyDescriptor(new Error('probe'), 'stack'));
  add(Object.getOwnPropertyDescriptor(Error.prototype, 'stack'));
  return found;
})();

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
