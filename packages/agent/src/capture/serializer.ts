/**
 * Turns the values read from a paused frame into the Datadog snapshot value encoding
 * (shared/reference/snapshots.md §4), inside the application's thread, without running any of
 * its code. What cannot be read that way is listed in README.md.
 *
 * Rules every function here follows: a Proxy is recognised before any other reflection; only
 * own property descriptors are read, never a property through `[[Get]]` (no getter runs);
 * built-ins are the ones captured in ../safe/intrinsics.ts; nothing throws out of the public functions.
 */
import type { CapturedValue } from '@periscope/protocol';
import { className } from '../safe/reflect.js';
import type { CaptureContext } from './context.js';
import { captureBoxed, captureBuffer, captureDataView, captureDate, captureRegExp } from './builtins.js';
import { expandArguments, expandArray, expandMap, expandSet, expandTypedArray } from './collections.js';
import { accessorType, fieldName, numberToString, setField, stringNode } from './encoding.js';
import { expandError, readStack } from './errors.js';
import { captureFunction } from './functions.js';
import {
  getOwnPropertyDescriptor,
  hasOwn,
  isAnyArrayBuffer,
  isArgumentsObject,
  isArray,
  isArrayBufferView,
  isBoxedPrimitive,
  isDate,
  isGeneratorObject,
  isMap,
  isMapIterator,
  isModuleNamespaceObject,
  isNativeError,
  isPromise,
  isProxy,
  isRegExp,
  isSet,
  isSetIterator,
  isTypedArray,
  isWeakMap,
  isWeakSet,
  toStringPrimitive,
} from '../safe/intrinsics.js';
import { ownKeysOf } from './large-objects.js';
import { NOT_CAPTURED, SCOPE_LIMIT_KEY } from './reasons.js';

/** The kinds of object that are expanded differently. */
const enum Kind {
  Ordinary,
  Array,
  TypedArray,
  DataView,
  Map,
  Set,
  Date,
  RegExp,
  Error,
  Boxed,
  Promise,
  Buffer,
  Weak,
  Arguments,
  Module,
  Generator,
  MapIterator,
  SetIterator,
}

/** Above this magnitude a bigint is not printed: decimal conversion is superlinear. */
const BIGINT_PRINT_LIMIT = 1n << 16384n;

/**
 * Captures one value: a variable's, argument's or expression's. `name`, when given, is checked
 * against the redaction list. The value itself is at depth level 1.
 */
export function captureValue(value: unknown, name: string | symbol | undefined, ctx: CaptureContext): CapturedValue {
  try {
    if (name !== undefined && ctx.redaction.isRedactedName(name)) return redactedIdent(value);
    return captureAt(value, 1, ctx);
  } catch {
    return { type: 'unknown', notCapturedReason: NOT_CAPTURED.error };
  }
}

/**
 * Captures a scope's variables. At most `maxFieldCount` are captured; when there are more,
 * the record gets a {@link SCOPE_LIMIT_KEY} entry `{type:'Scope', notCapturedReason:'fieldCount', size}`
 * with the total count, because the wire format has no other place for it.
 */
export function captureVariables(
  entries: Iterable<readonly [string, unknown]>,
  ctx: CaptureContext,
): Record<string, CapturedValue> {
  const out: Record<string, CapturedValue> = {};
  const max = ctx.maxFieldCount;
  let total = 0;
  try {
    // Index loop for arrays: the engine's own array, but `Array.prototype[Symbol.iterator]` is the application's.
    if (isArray(entries)) {
      const list = entries as ReadonlyArray<readonly [string, unknown]>;
      for (let i = 0; i < list.length; i++) {
        const entry = list[i]!;
        if (total++ < max) setField(out, entry[0], captureValue(entry[1], entry[0], ctx));
      }
    } else {
      for (const entry of entries) {
        if (total++ < max) setField(out, entry[0], captureValue(entry[1], entry[0], ctx));
      }
    }
  } catch {
    // A broken iterable from the engine loses the rest of the scope, never the hit.
  }
  if (total > max) setField(out, SCOPE_LIMIT_KEY, { type: 'Scope', notCapturedReason: NOT_CAPTURED.fieldCount, size: total });
  return out;
}

/** The dispatcher: every nested value comes through here with its depth level. */
export function captureAt(value: unknown, level: number, ctx: CaptureContext): CapturedValue {
  switch (typeof value) {
    case 'string':
      return stringNode('string', value, ctx.maxLength);
    case 'number':
      return { type: 'number', value: numberToString(value) };
    case 'boolean':
      return { type: 'boolean', value: value ? 'true' : 'false' };
    case 'undefined':
      return { type: 'undefined' };
    case 'bigint':
      if (value >= BIGINT_PRINT_LIMIT || value <= -BIGINT_PRINT_LIMIT) return { type: 'bigint', notCapturedReason: NOT_CAPTURED.tooLarge };
      return { type: 'bigint', value: toStringPrimitive(value) };
    case 'symbol':
      // String(symbol) is the spec's SymbolDescriptiveString: no `description` getter, no toString.
      return stringNode('symbol', toStringPrimitive(value), ctx.maxLength);
    case 'function':
      return captureFunction(value, level, ctx);
    default:
      if (value === null) return { type: 'null', isNull: true };
      return captureObject(value as object, level, ctx);
  }
}

function captureObject(obj: object, level: number, ctx: CaptureContext): CapturedValue {
  // Before anything else: even getPrototypeOf would run a trap.
  if (isProxy(obj)) return { type: 'Proxy', notCapturedReason: NOT_CAPTURED.proxy };
  const kind = classify(obj);
  const type = typeName(obj, kind);
  if (ctx.redaction.hasRedactedTypes && ctx.redaction.isRedactedType(type)) {
    return { type, notCapturedReason: NOT_CAPTURED.redactedType };
  }
  // Values without children are complete at any depth.
  switch (kind) {
    case Kind.Date:
      return captureDate(obj, type);
    case Kind.RegExp:
      return captureRegExp(obj, type, ctx.maxLength);
    case Kind.Boxed:
      return captureBoxed(obj, type, ctx.maxLength);
    case Kind.Promise:
    case Kind.Weak:
      return { type, notCapturedReason: NOT_CAPTURED.internalState };
  }
  if (level > ctx.maxReferenceDepth) return { type, notCapturedReason: NOT_CAPTURED.depth };
  if (ctx.outOfTime()) return { type, notCapturedReason: NOT_CAPTURED.timeout };
  const path = ctx.path;
  for (let i = 0; i < ctx.pathLength; i++) {
    if (path[i] === obj) return { type, notCapturedReason: NOT_CAPTURED.circular };
  }
  path[ctx.pathLength++] = obj;
  try {
    switch (kind) {
      case Kind.Array:
        return expandArray(obj as unknown[], type, level, ctx);
      case Kind.TypedArray:
        return expandTypedArray(obj, type, ctx);
      case Kind.Map:
        return expandMap(obj, type, level, ctx);
      case Kind.Set:
        return expandSet(obj, type, level, ctx);
      case Kind.Arguments:
        return expandArguments(obj, type, level, ctx);
      case Kind.Error:
        return expandError(obj, type, level, ctx);
      case Kind.Buffer:
        return captureBuffer(obj, type, ctx.maxFieldCount);
      case Kind.DataView:
        return captureDataView(obj, type, ctx.maxFieldCount);
      default:
        return expandFields(obj, type, level, ctx, undefined);
    }
  } catch {
    return { type, notCapturedReason: NOT_CAPTURED.error };
  } finally {
    // Clear the slot: the context must not keep application objects alive after the capture.
    path[--ctx.pathLength] = undefined as unknown as object;
  }
}

/** Internal-slot checks, most common kinds first; each is a brand check that runs no JavaScript. */
function classify(obj: object): Kind {
  if (isArray(obj)) return Kind.Array;
  if (isArrayBufferView(obj)) return isTypedArray(obj) ? Kind.TypedArray : Kind.DataView;
  if (isMap(obj)) return Kind.Map;
  if (isSet(obj)) return Kind.Set;
  if (isDate(obj)) return Kind.Date;
  if (isNativeError(obj)) return Kind.Error;
  if (isRegExp(obj)) return Kind.RegExp;
  if (isPromise(obj)) return Kind.Promise;
  if (isBoxedPrimitive(obj)) return Kind.Boxed;
  if (isAnyArrayBuffer(obj)) return Kind.Buffer;
  if (isWeakMap(obj) || isWeakSet(obj)) return Kind.Weak;
  if (isArgumentsObject(obj)) return Kind.Arguments;
  if (isModuleNamespaceObject(obj)) return Kind.Module;
  if (isGeneratorObject(obj)) return Kind.Generator;
  if (isMapIterator(obj)) return Kind.MapIterator;
  if (isSetIterator(obj)) return Kind.SetIterator;
  return Kind.Ordinary;
}

function typeName(obj: object, kind: Kind): string {
  switch (kind) {
    case Kind.Arguments:
      return 'Arguments';
    case Kind.Module:
      return 'Module';
    case Kind.Generator:
      return 'Generator';
    case Kind.MapIterator:
      return 'Map Iterator';
    case Kind.SetIterator:
      return 'Set Iterator';
    default:
      return className(obj);
  }
}

/**
 * Own properties, string keys then symbol keys, at most `maxFieldCount`. `leading` fields, when
 * given, are written first and take slots like own ones (an error's inherited `name` and `stack`).
 */
export function expandFields(
  obj: object,
  type: string,
  level: number,
  ctx: CaptureContext,
  leading: ReadonlyArray<readonly [string, CapturedValue]> | undefined,
): CapturedValue {
  const list = ownKeysOf(obj, type, ctx);
  // Over budget: listing its keys alone outlasted the capture's budget (large-objects.ts).
  if (list === undefined) return { type, notCapturedReason: NOT_CAPTURED.timeout, size: ctx.keyCount };
  const extra = leading === undefined ? 0 : leading.length;
  const total = ctx.keyCount + extra;
  const max = ctx.maxFieldCount;
  const n = total < max ? total : max;
  const fields: Record<string, CapturedValue> = {};
  let written = 0;
  for (; written < extra && written < n; written++) setField(fields, leading![written]![0], leading![written]![1]);
  const childLevel = level + 1;
  for (let i = 0; written < n && i < list.length; i++, written++) {
    const key = list[i]!;
    setField(fields, fieldName(key), captureProperty(obj, key, childLevel, ctx));
  }
  if (total > max) return { type, fields, notCapturedReason: NOT_CAPTURED.fieldCount, size: total };
  return { type, fields };
}

/** One own property, read through its descriptor: accessors are reported, never called. */
export function captureProperty(obj: object, key: string | symbol, level: number, ctx: CaptureContext): CapturedValue {
  if (key === 'stack') return readStack(obj, level, ctx);
  let desc: PropertyDescriptor | undefined;
  try {
    desc = getOwnPropertyDescriptor(obj, key);
  } catch {
    return { type: 'unknown', notCapturedReason: NOT_CAPTURED.error };
  }
  if (desc === undefined) return { type: 'undefined' }; // deleted since the keys were listed
  const redacted = ctx.redaction.isRedactedName(key);
  if (hasOwn(desc, 'value')) return redacted ? redactedIdent(desc.value) : captureAt(desc.value, level, ctx);
  const type = accessorType(desc);
  return redacted ? { type, notCapturedReason: NOT_CAPTURED.redactedIdent } : { type };
}

/** `{type, notCapturedReason:'redactedIdent'}`: the type is kept, the value is not. */
export function redactedIdent(value: unknown): CapturedValue {
  return { type: shallowTypeName(value), notCapturedReason: NOT_CAPTURED.redactedIdent };
}

/** A value's type name without looking inside it. */
export function shallowTypeName(value: unknown): string {
  switch (typeof value) {
    case 'object':
      if (value === null) return 'null';
      return isProxy(value) ? 'Proxy' : className(value);
    case 'function':
      return isProxy(value) ? 'Proxy' : className(value);
    default:
      return typeof value;
  }
}
