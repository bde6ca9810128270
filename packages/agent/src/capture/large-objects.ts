/**
 * Listing an object's own keys is the one step whose cost grows with the object: V8 has no way
 * to read the first N keys of a dictionary-mode object without collecting and sorting all of
 * them (measured on the CI-class machine: 10 000 keys ≈ 4 ms, 100 000 ≈ 80 ms, 1 000 000 ≈ 1 s).
 * The first capture of such an object pays that once; the object is then remembered (weakly)
 * with its first keys and its size, so later captures of the same object cost nothing extra,
 * and the context reports it so the engine can stop snapshots for the probe, as dd-trace-js does.
 */
import type { CaptureContext } from './context.js';
import { ArraySlice, ownKeys, WeakMapGet, WeakMapSet } from '../safe/intrinsics.js';

/** Objects with more own keys than this are remembered and reported. */
export const LARGE_OBJECT_KEYS = 10_000;
/** How many leading keys are kept for a remembered object: more than any sane `maxFieldCount`. */
const REMEMBERED_KEYS = 1_000;

interface RememberedKeys {
  keys: Array<string | symbol>;
  size: number;
}

const remembered = new WeakMap<object, RememberedKeys>();
/** Skips the WeakMap lookup on every object until something has been remembered. */
let anyRemembered = false;

/**
 * The object's own keys (strings in property order, then symbols) and, in `ctx.keyCount`, how
 * many it has. For a remembered large object the list is the first keys seen when it was first
 * captured: properties added since are missed, deleted ones are skipped by the caller.
 */
export function ownKeysOf(obj: object, type: string, ctx: CaptureContext): ReadonlyArray<string | symbol> {
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
  if (size > LARGE_OBJECT_KEYS) {
    WeakMapSet(remembered, obj, { keys: ArraySlice(keys, 0, REMEMBERED_KEYS), size });
    anyRemembered = true;
    if (ctx.largeObject === undefined) ctx.largeObject = { type, size };
    ctx.checkClockSoon();
  }
  return keys;
}
