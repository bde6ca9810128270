/**
 * Small pieces of the wire encoding shared by the serializer modules: strings cut at
 * `maxLength`, number text, field names and safe writes into output records.
 */
import type { CapturedValue } from '@periscope/protocol';
import { defineProperty, hasOwn, ObjectPrototype, StringIndexOf, StringSlice, toStringPrimitive } from '../safe/intrinsics.js';
import { NOT_CAPTURED } from './reasons.js';

/** A string-valued node, cut at `maxLength` without splitting a surrogate pair. */
export function stringNode(type: string, s: string, maxLength: number): CapturedValue {
  const size = s.length;
  if (size <= maxLength) return { type, value: s };
  let cut = maxLength > 0 ? maxLength : 0;
  if (cut > 0) {
    const last = s[cut - 1]!;
    if (last >= '\ud800' && last <= '\udbff') cut--;
  }
  return { type, value: StringSlice(s, 0, cut), truncated: true, size };
}

/** Number text as JavaScript prints it, except that `-0` keeps its sign. */
export function numberToString(n: number): string {
  if (n === 0 && 1 / n < 0) return '-0';
  return toStringPrimitive(n);
}

/** Keys as the wire wants them: `Symbol(x)` for symbols, `.` replaced by `_` (the intake rejects dots). */
export function fieldName(key: string | symbol): string {
  const s = typeof key === 'symbol' ? toStringPrimitive(key) : key;
  if (StringIndexOf(s, '.') === -1) return s;
  let out = '';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '.') {
      out += StringSlice(s, runStart, i) + '_';
      runStart = i + 1;
    }
  }
  return out + StringSlice(s, runStart, s.length);
}

/**
 * Adds a field to an output record. A name that Object.prototype also has (`__proto__`,
 * `constructor`, or an accessor the application installed there) is defined, not assigned,
 * so no setter runs and `__proto__` stays a plain key.
 */
export function setField(fields: Record<string, CapturedValue>, name: string, node: CapturedValue): void {
  if (hasOwn(ObjectPrototype, name)) {
    // A null-prototype descriptor: a `get` or `set` installed on Object.prototype would otherwise be read.
    defineProperty(fields, name, { __proto__: null, value: node, enumerable: true, writable: true, configurable: true } as PropertyDescriptor);
  } else {
    fields[name] = node;
  }
}

/** `getter`, `setter` or `getter/setter`: what an accessor is reported as (it is never called). */
export function accessorType(desc: PropertyDescriptor): string {
  const hasGet = hasOwn(desc, 'get') && desc.get !== undefined;
  const hasSet = hasOwn(desc, 'set') && desc.set !== undefined;
  return hasGet ? (hasSet ? 'getter/setter' : 'getter') : 'setter';
}

/**
 * An object node with a fixed list of fields (a function's `name` and `length`, a DataView's
 * window), still honouring `maxFieldCount` so that every node obeys the same limit.
 */
export function fixedFields(type: string, names: readonly string[], values: readonly CapturedValue[], maxFieldCount: number): CapturedValue {
  const fields: Record<string, CapturedValue> = {};
  const n = names.length < maxFieldCount ? names.length : maxFieldCount;
  for (let i = 0; i < n; i++) setField(fields, names[i]!, values[i]!);
  if (names.length > maxFieldCount) return { type, fields, notCapturedReason: NOT_CAPTURED.fieldCount, size: names.length };
  return { type, fields };
}
