/**
 * Built-in objects whose content lives in internal slots: dates, regular expressions, boxed
 * primitives, array buffers and data views. Each is read with the built-in accessor taken at
 * load, which checks the slot and runs no JavaScript (`toISOString`, `source`, `valueOf` of the
 * prototype the application sees may have been replaced; these are not those).
 */
import type { CapturedValue } from '@periscope/protocol';
import { fixedFields, numberToString, stringNode } from './encoding.js';
import {
  ArrayBufferByteLength,
  BigIntValueOf,
  BooleanValueOf,
  DataViewByteLength,
  DataViewByteOffset,
  DateGetTime,
  DateToISOString,
  isBigIntObject,
  isBooleanObject,
  isNumberObject,
  isSharedArrayBuffer,
  isStringObject,
  NumberValueOf,
  RegExpFlagGetters,
  RegExpSource,
  SharedArrayBufferByteLength,
  StringValueOf,
  SymbolValueOf,
  toStringPrimitive,
} from '../safe/intrinsics.js';

const BUFFER_FIELDS = ['byteLength'] as const;
const DATA_VIEW_FIELDS = ['byteLength', 'byteOffset'] as const;

/** ISO 8601 with milliseconds, or `Invalid Date`. */
export function captureDate(date: object, type: string): CapturedValue {
  const time = DateGetTime(date);
  if (time !== time) return { type, value: 'Invalid Date' };
  return { type, value: DateToISOString(date) };
}

/** `/source/flags`, as a regular expression literal. */
export function captureRegExp(re: object, type: string, maxLength: number): CapturedValue {
  let flags = '';
  for (let i = 0; i < RegExpFlagGetters.length; i++) {
    const entry = RegExpFlagGetters[i]!; // no destructuring: it would use the (replaceable) array iterator
    if (entry[1](re) === true) flags += entry[0];
  }
  return stringNode(type, '/' + RegExpSource(re) + '/' + flags, maxLength);
}

/** `new String('x')`, `new Number(1)` and friends: the primitive inside, with the wrapper's class as type. */
export function captureBoxed(obj: object, type: string, maxLength: number): CapturedValue {
  if (isStringObject(obj)) return stringNode(type, StringValueOf(obj), maxLength);
  if (isNumberObject(obj)) return { type, value: numberToString(NumberValueOf(obj)) };
  if (isBooleanObject(obj)) return { type, value: BooleanValueOf(obj) === true ? 'true' : 'false' };
  if (isBigIntObject(obj)) return { type, value: toStringPrimitive(BigIntValueOf(obj)) };
  return stringNode(type, toStringPrimitive(SymbolValueOf(obj)), maxLength);
}

/** ArrayBuffer and SharedArrayBuffer: the byte length (the bytes are visible through a view). */
export function captureBuffer(buf: object, type: string, maxFieldCount: number): CapturedValue {
  const getter = isSharedArrayBuffer(buf) ? SharedArrayBufferByteLength : ArrayBufferByteLength;
  const byteLength = getter(buf);
  return fixedFields(type, BUFFER_FIELDS, [numberNode(byteLength)], maxFieldCount);
}

/** DataView: its window on the buffer. */
export function captureDataView(view: object, type: string, maxFieldCount: number): CapturedValue {
  const byteLength = DataViewByteLength(view);
  const byteOffset = DataViewByteOffset(view);
  return fixedFields(type, DATA_VIEW_FIELDS, [numberNode(byteLength), numberNode(byteOffset)], maxFieldCount);
}

function numberNode(n: number): CapturedValue {
  return { type: 'number', value: numberToString(n) };
}
