/**
 * `any`, `all` and `filter` over arrays, typed arrays, Sets, Maps and plain objects
 * (expression-language.md §3). Elements come from own data properties and intrinsic
 * iterators, never from `Symbol.iterator` or getters. The deadline is checked every
 * {@link DEADLINE_CHECK_INTERVAL} items, so a huge collection stops with a `timeout` failure.
 *
 * Redaction: an entry whose key is a redacted identifier (a string, or a symbol by its
 * description) binds its value as redacted, so the predicate's `@value` (and `@it` over a Map)
 * fails as `getmember` of that name would; the `@…` references also refuse values of a
 * redacted type (compile.ts). A predicate can therefore never test a secret.
 */
import { SIDE_EFFECT, plainError, typeError } from './errors.js';
import { DEADLINE_CHECK_INTERVAL, remainingMs, type Frame } from './frame.js';
import {
  ArrayPush,
  MapEntries,
  MapIteratorNext,
  MapSet,
  SetIteratorNext,
  SetValues,
  TypedArrayLength,
  getOwnPropertyDescriptor,
  hasOwn,
  isArray,
  isMap,
  isProxy,
  isSet,
  isTypedArray,
  isWeakMap,
  isWeakSet,
  objectCreate,
  objectKeys,
} from '../safe/intrinsics.js';
import { arrayElement, redactedKeyName } from './values.js';

export type Evaluator = (f: Frame) => unknown;
export type IterationMode = 'any' | 'all' | 'filter';

/**
 * Runs `predicate` over `coll`. `any`/`all` return a boolean and stop early; `filter` returns
 * a new array (arrays, typed arrays, Sets), Map (Maps) or null-prototype object (objects).
 */
export function iterate(f: Frame, coll: unknown, predicate: Evaluator, mode: IterationMode): unknown {
  if (coll === null || coll === undefined) throw typeError('Cannot convert undefined or null to object');
  if (typeof coll !== 'object' && typeof coll !== 'function') throw typeError('Variable is not a collection');
  if (isProxy(coll)) throw plainError(SIDE_EFFECT);
  const outerIt = f.it;
  const outerKey = f.key;
  const outerValue = f.value;
  const outerValueRedacted = f.valueRedactedAs;
  const outerItRedacted = f.itRedactedAs;
  try {
    if (isArray(coll)) return overIndexed(f, coll, false, predicate, mode);
    if (isTypedArray(coll)) return overIndexed(f, coll as unknown as ArrayLike<unknown>, true, predicate, mode);
    if (isSet(coll)) return overSet(f, coll, predicate, mode);
    if (isMap(coll)) return overMap(f, coll, predicate, mode);
    if (isWeakMap(coll) || isWeakSet(coll)) throw typeError('Cannot iterate over a WeakMap or WeakSet');
    return overObject(f, coll, predicate, mode);
  } finally {
    f.it = outerIt;
    f.key = outerKey;
    f.value = outerValue;
    f.valueRedactedAs = outerValueRedacted;
    f.itRedactedAs = outerItRedacted;
  }
}

function tick(f: Frame, i: number): void {
  if (i % DEADLINE_CHECK_INTERVAL === DEADLINE_CHECK_INTERVAL - 1) remainingMs(f);
}

// In each loop below, `any` stops at the first match (returns true), `all` at the first miss
// (returns false), `filter` keeps the matches; written out per loop, not as a per-item callback.

/** Arrays and typed arrays. */
function overIndexed(f: Frame, coll: ArrayLike<unknown>, typed: boolean, predicate: Evaluator, mode: IterationMode): unknown {
  const out: unknown[] | undefined = mode === 'filter' ? [] : undefined;
  const len = typed ? TypedArrayLength(coll) : coll.length;
  f.itRedactedAs = undefined;
  for (let i = 0; i < len; i++) {
    tick(f, i);
    // Typed array elements are integer-indexed slots that never reach a prototype or getter.
    const item = typed ? coll[i] : arrayElement(coll as unknown[], i);
    f.it = item;
    const ok = !!predicate(f);
    if (mode === 'filter') {
      if (ok) ArrayPush(out!, item);
    } else if (ok === (mode === 'any')) return ok;
  }
  return out ?? mode === 'all';
}

function overSet(f: Frame, set: Set<unknown>, predicate: Evaluator, mode: IterationMode): unknown {
  const out: unknown[] | undefined = mode === 'filter' ? [] : undefined;
  const it = SetValues(set);
  f.itRedactedAs = undefined;
  for (let i = 0; ; i++) {
    tick(f, i);
    const step = SetIteratorNext(it);
    if (step.done === true) break;
    const item = step.value;
    f.it = item;
    const ok = !!predicate(f);
    if (mode === 'filter') {
      if (ok) ArrayPush(out!, item);
    } else if (ok === (mode === 'any')) return ok;
  }
  return out ?? mode === 'all';
}

function overMap(f: Frame, map: Map<unknown, unknown>, predicate: Evaluator, mode: IterationMode): unknown {
  const out = mode === 'filter' ? new Map<unknown, unknown>() : undefined;
  const it = MapEntries(map);
  const policy = f.redaction;
  for (let i = 0; ; i++) {
    tick(f, i);
    const step = MapIteratorNext(it);
    if (step.done === true) break;
    const key = step.value[0];
    const value = step.value[1];
    f.key = key;
    f.value = value;
    f.it = value;
    const hidden = redactedKeyName(policy, key);
    f.valueRedactedAs = hidden;
    f.itRedactedAs = hidden;
    const ok = !!predicate(f);
    if (mode === 'filter') {
      if (ok) MapSet(out!, key, value);
    } else if (ok === (mode === 'any')) return ok;
  }
  return out ?? mode === 'all';
}

function overObject(f: Frame, obj: object, predicate: Evaluator, mode: IterationMode): unknown {
  const out = mode === 'filter' ? (objectCreate(null) as Record<string, unknown>) : undefined;
  const keys = objectKeys(obj);
  const policy = f.redaction;
  for (let i = 0; i < keys.length; i++) {
    tick(f, i);
    const key = keys[i]!;
    const desc = getOwnPropertyDescriptor(obj, key);
    if (desc === undefined) continue;
    if (!hasOwn(desc, 'value')) throw plainError(`${SIDE_EFFECT}: property "${key}" is an accessor`);
    f.key = key;
    f.value = desc.value;
    f.valueRedactedAs = redactedKeyName(policy, key);
    const ok = !!predicate(f);
    if (mode === 'filter') {
      if (ok) out![key] = desc.value;
    } else if (ok === (mode === 'any')) return ok;
  }
  return out ?? mode === 'all';
}
