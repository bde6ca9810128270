/**
 * Arrays, typed arrays, Maps, Sets and `arguments`: at most `maxCollectionSize` items, read by
 * index or with the built-in iterators taken at load, never through the object's own (possibly
 * overridden) `Symbol.iterator`, `entries` or `size`. Cost is bounded by the limit, not by the
 * collection: a 10M-element array or a Map of a million entries reads only the first items.
 */
import type { CapturedValue } from '@periscope/protocol';
import type { CaptureContext } from './context.js';
import { accessorType } from './encoding.js';
import {
  getOwnPropertyDescriptor,
  hasOwn,
  MapEntries,
  MapIteratorNext,
  MapSize,
  SetIteratorNext,
  SetSize,
  SetValues,
  TypedArrayLength,
} from '../safe/intrinsics.js';
import { NOT_CAPTURED } from './reasons.js';
import { captureAt, redactedIdent } from './serializer.js';

/** Typed array items are numbers or bigints: their depth level never matters. */
const PRIMITIVE_LEVEL = 1;
/** A sparse array's missing index. */
const HOLE_TYPE = 'hole';

function withElements(type: string, elements: CapturedValue[], size: number, max: number): CapturedValue {
  if (size > max) return { type, elements, notCapturedReason: NOT_CAPTURED.collectionSize, size };
  return { type, elements };
}

/** One indexed own property: a hole, an accessor (reported, not called) or a value. */
function indexedElement(obj: object, i: number, level: number, ctx: CaptureContext): CapturedValue {
  const desc = getOwnPropertyDescriptor(obj, i);
  if (desc === undefined) return { type: HOLE_TYPE };
  if (hasOwn(desc, 'value')) return captureAt(desc.value, level, ctx);
  return { type: accessorType(desc) };
}

/** Arrays and their subclasses. Extra named properties (e.g. a match array's `index`) are not read. */
export function expandArray(arr: unknown[], type: string, level: number, ctx: CaptureContext): CapturedValue {
  // `length` of an Array exotic object is an own, non-configurable data property: reading it runs nothing.
  const size = arr.length;
  const max = ctx.maxCollectionSize;
  const n = size < max ? size : max;
  const elements: CapturedValue[] = [];
  for (let i = 0; i < n; i++) elements[i] = indexedElement(arr, i, level + 1, ctx);
  return withElements(type, elements, size, max);
}

/** `arguments`: array-like, with a `length` that may have been redefined. */
export function expandArguments(args: object, type: string, level: number, ctx: CaptureContext): CapturedValue {
  const desc = getOwnPropertyDescriptor(args, 'length');
  const raw = desc !== undefined && hasOwn(desc, 'value') ? desc.value : 0;
  const size = typeof raw === 'number' && raw > 0 ? raw - (raw % 1) : 0;
  const max = ctx.maxCollectionSize;
  const n = size < max ? size : max;
  const elements: CapturedValue[] = [];
  for (let i = 0; i < n; i++) elements[i] = indexedElement(args, i, level + 1, ctx);
  return withElements(type, elements, size, max);
}

/** Typed arrays and Buffers: integer-indexed exotic objects, whose element reads never reach a prototype. */
export function expandTypedArray(ta: object, type: string, ctx: CaptureContext): CapturedValue {
  const size = TypedArrayLength(ta);
  const max = ctx.maxCollectionSize;
  const n = size < max ? size : max;
  const view = ta as ArrayLike<number | bigint>;
  const elements: CapturedValue[] = [];
  for (let i = 0; i < n; i++) elements[i] = captureAt(view[i], PRIMITIVE_LEVEL, ctx);
  return withElements(type, elements, size, max);
}

/** Maps: `entries` as `[key, value]` pairs. A string or symbol key that is a redacted name hides its value. */
export function expandMap(map: object, type: string, level: number, ctx: CaptureContext): CapturedValue {
  const size = MapSize(map);
  const max = ctx.maxCollectionSize;
  const n = size < max ? size : max;
  const childLevel = level + 1;
  const entries: Array<[CapturedValue, CapturedValue]> = [];
  const it = MapEntries(map);
  for (let i = 0; i < n; i++) {
    const step = MapIteratorNext(it);
    if (step.done) break;
    // The result object and the pair are fresh arrays/objects made by the engine: plain own data.
    const pair = step.value as [unknown, unknown];
    const key = pair[0];
    const value = pair[1];
    const keyNode = captureAt(key, childLevel, ctx);
    const redacted = (typeof key === 'string' || typeof key === 'symbol') && ctx.redaction.isRedactedName(key);
    entries[i] = [keyNode, redacted ? redactedIdent(value) : captureAt(value, childLevel, ctx)];
  }
  if (size > max) return { type, entries, notCapturedReason: NOT_CAPTURED.collectionSize, size };
  return { type, entries };
}

/** Sets: `elements`, in insertion order. */
export function expandSet(set: object, type: string, level: number, ctx: CaptureContext): CapturedValue {
  const size = SetSize(set);
  const max = ctx.maxCollectionSize;
  const n = size < max ? size : max;
  const childLevel = level + 1;
  const elements: CapturedValue[] = [];
  const it = SetValues(set);
  for (let i = 0; i < n; i++) {
    const step = SetIteratorNext(it);
    if (step.done) break;
    elements[i] = captureAt(step.value, childLevel, ctx);
  }
  return withElements(type, elements, size, max);
}
