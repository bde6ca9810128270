/**
 * Listing an object's own keys is the one step whose cost grows with the object: V8 has no way
 * to read the first N keys of a dictionary-mode object without collecting all of them, and every
 * native way to list them is O(n) (measured with 1 000 000 keys on the shared 2-core machine,
 * Node 20 / 24: `Reflect.ownKeys` ≈ 0.9–1.1 s / 0.75 s, `Object.getOwnPropertyNames` ≈ 1.2 s /
 * 0.8 s, `Object.keys` ≈ 0.4–0.7 s / 0.35 s, even `for…in` with a `break` after 20 keys ≈ 0.37 s /
 * 0.32 s, because it prepares the whole enumeration first and also walks the prototype chain,
 * where a Proxy would run its traps). Nothing here can be interrupted, so the cost is paid at most
 * once per object:
 *
 * - an object with more than {@link LARGE_OBJECT_KEYS} keys whose listing ends past the
 *   capture's deadline is "over budget": it becomes `{type, notCapturedReason:'timeout', size}`
 *   now and on every later capture, without being listed again (remembered in a WeakMap), and it
 *   is reported through {@link takeOverBudgetObject} so that the engine can stop snapshots for
 *   the probe (a different huge object at every hit would otherwise cost the same again);
 * - a large object listed within the budget is remembered with its first keys and its size, so
 *   later captures of the same object cost `maxFieldCount` reads.
 *
 * Everything else the serializer does is bounded by the limits, whatever the object's size.
 */
import type { CaptureContext, LargeObjectReport } from './context.js';
import { ArraySlice, ownKeys, WeakMapGet, WeakMapSet } from '../safe/intrinsics.js';

/** Objects with more own keys than this are remembered (and, over budget, reported). */
export const LARGE_OBJECT_KEYS = 10_000;
/** How many leading keys are kept for a remembered object: more than any sane `maxFieldCount`. */
const REMEMBERED_KEYS = 1_000;

interface RememberedKeys {
  /** Undefined for an over-budget object: it is never expanded again. */
  keys: Array<string | symbol> | undefined;
  size: number;
}

const remembered = new WeakMap<object, RememberedKeys>();
/** Skips the WeakMap lookup on every object until something has been remembered. */
let anyRemembered = false;
/** The first over-budget object since the engine last asked; see {@link takeOverBudgetObject}. */
let pendingReport: LargeObjectReport | undefined;

/**
 * The object's own keys (strings in property order, then symbols) and, in `ctx.keyCount`, how
 * many it has; `undefined` when the object is over budget and must be reported as `timeout`.
 * For a remembered large object the list is the first keys seen when it was first captured:
 * properties added since are missed, deleted ones are skipped by the caller.
 */
export function ownKeysOf(obj: object, type: string, ctx: CaptureContext): ReadonlyArray<string | symbol> | undefined {
  if (anyRemembered) {
    const known = WeakMapGet(remembered, obj) as RememberedKeys | undefined;
    if (known !== undefined) {
      ctx.keyCount = known.size;
      return known.keys;
    }
  }
  const keys = ownKeys(obj) as Array<string | symbol>;
  const size = keys.length;
  ctx.keyCount = size;
  if (size <= LARGE_OBJECT_KEYS) return keys;
  anyRemembered = true;
  // One clock read, only after a listing that may have been slow.
  if (ctx.pastDeadline()) {
    WeakMapSet(remembered, obj, { keys: undefined, size });
    const report: LargeObjectReport = { type, size };
    if (ctx.largeObject === undefined) ctx.largeObject = report;
    if (pendingReport === undefined) pendingReport = report;
    return undefined;
  }
  WeakMapSet(remembered, obj, { keys: ArraySlice(keys, 0, REMEMBERED_KEYS), size });
  return keys;
}

/**
 * The first object since the previous call whose key listing ran a capture past its deadline,
 * and forgets it. Captures are synchronous, so the engine calls this once before and once after
 * a probe's capture to learn whether that capture met such an object.
 */
export function takeOverBudgetObject(): LargeObjectReport | undefined {
  const report = pendingReport;
  pendingReport = undefined;
  return report;
}
