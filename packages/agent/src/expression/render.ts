/**
 * Renders an expression result into a log message (expression-language.md §5): strings as-is,
 * everything else in a compact, `util.inspect`-like form at depth 1 — arrays, Sets and Maps cut
 * to {@link MAX_RENDERED_ITEMS} items, objects to {@link MAX_RENDERED_PROPERTIES} properties.
 * It reads own data properties and internal slots only: getters show as `[Getter]`, Proxies as
 * `[Proxy]`, and redacted names or types as `{redacted}`.
 */
import { className } from '../safe/reflect.js';
import {
  ArrayJoin,
  ArrayPush,
  RegExpExec,
  BooleanValueOf,
  DateGetTime,
  DateToISOString,
  FunctionToString,
  MapEntries,
  MapIteratorNext,
  MapSize,
  NumberValueOf,
  RegExpFlagGetters,
  RegExpSource,
  SetIteratorNext,
  SetSize,
  SetValues,
  StringSlice,
  StringStartsWith,
  StringValueOf,
  SymbolToString,
  TypedArrayLength,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  hasOwn,
  isArray,
  isBooleanObject,
  isDate,
  isMap,
  isNativeError,
  isNumberObject,
  isProxy,
  isRegExp,
  isSet,
  isStringObject,
  isTypedArray,
  isWeakMap,
  isWeakSet,
  objectKeys,
} from '../safe/intrinsics.js';
import type { RedactionPolicy } from './scope.js';
import { redactedKeyName } from './values.js';

export const MAX_RENDERED_ITEMS = 3;
export const MAX_RENDERED_PROPERTIES = 5;
/** A top-level string is cut here; nested strings at {@link MAX_NESTED_STRING}. */
export const MAX_RENDERED_STRING = 8192;
export const MAX_NESTED_STRING = 255;
export const REDACTED = '{redacted}';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const isNaNValue = Number.isNaN;

/** Renders a value for a message. */
export function renderValue(v: unknown, redaction?: RedactionPolicy): string {
  if (typeof v === 'string') return v.length > MAX_RENDERED_STRING ? StringSlice(v, 0, MAX_RENDERED_STRING) : v;
  return render(v, 0, redaction);
}

function render(v: unknown, depth: number, redaction: RedactionPolicy | undefined): string {
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'number':
      return v === 0 && 1 / v < 0 ? '-0' : `${v}`;
    case 'bigint':
      return `${v}n`;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return SymbolToString(v);
    case 'function':
      return isProxy(v) ? '[Proxy]' : renderFunction(v);
  }
  if (v === null) return 'null';
  const obj = v as object;
  if (isProxy(obj)) return '[Proxy]';
  const name = className(obj);
  if (redaction !== undefined && redaction.isRedactedType(name)) return REDACTED;
  if (isDate(obj)) return isNaNValue(DateGetTime(obj)) ? 'Invalid Date' : DateToISOString(obj);
  if (isRegExp(obj)) return renderRegExp(obj);
  if (isNativeError(obj)) return renderError(obj, name);
  if (isStringObject(obj)) return `[String: ${quote(StringValueOf(obj))}]`;
  if (isNumberObject(obj)) return `[Number: ${render(NumberValueOf(obj), 1, redaction)}]`;
  if (isBooleanObject(obj)) return `[Boolean: ${BooleanValueOf(obj)}]`;
  if (isWeakMap(obj) || isWeakSet(obj)) return `${name} { <items unknown> }`;
  const nested = depth > 0;
  if (isArray(obj)) {
    if (nested) return '[Array]';
    return listOf('', obj.length, arrayItems(obj, redaction), '[', ']');
  }
  if (isTypedArray(obj)) {
    const len = TypedArrayLength(obj);
    if (nested) return `[${name}]`;
    const items: string[] = [];
    for (let i = 0; i < len && i < MAX_RENDERED_ITEMS; i++) ArrayPush(items, render((obj as unknown as ArrayLike<unknown>)[i], 1, redaction));
    return listOf(`${name}(${len}) `, len, items, '[', ']');
  }
  if (isMap(obj)) {
    const size = MapSize(obj);
    if (nested) return `[${name}]`;
    const items: string[] = [];
    const it = MapEntries(obj);
    for (let i = 0; i < MAX_RENDERED_ITEMS; i++) {
      const step = MapIteratorNext(it);
      if (step.done === true) break;
      const k = step.value[0];
      const val = step.value[1];
      // String keys by name, symbol keys by description, as in snapshots.
      const hidden = redactedKeyName(redaction, k) !== undefined;
      ArrayPush(items, `${render(k, 1, redaction)} => ${hidden ? REDACTED : render(val, 1, redaction)}`);
    }
    return listOf(`${name}(${size}) `, size, items, '{', '}');
  }
  if (isSet(obj)) {
    const size = SetSize(obj);
    if (nested) return `[${name}]`;
    const items: string[] = [];
    const it = SetValues(obj);
    for (let i = 0; i < MAX_RENDERED_ITEMS; i++) {
      const step = SetIteratorNext(it);
      if (step.done === true) break;
      ArrayPush(items, render(step.value, 1, redaction));
    }
    return listOf(`${name}(${size}) `, size, items, '{', '}');
  }
  const nullProto = getPrototypeOf(obj) === null;
  if (nested) return nullProto ? '[Object: null prototype]' : `[${name}]`;
  return renderObject(obj, nullProto ? '[Object: null prototype] ' : name === 'Object' ? '' : `${name} `, redaction);
}

function listOf(prefix: string, total: number, items: string[], open: string, close: string): string {
  if (total === 0) return `${prefix}${open}${close}`;
  const more = total - items.length;
  if (more > 0) ArrayPush(items, `... ${more} more item${more === 1 ? '' : 's'}`);
  return `${prefix}${open} ${ArrayJoin(items, ', ')} ${close}`;
}

function arrayItems(arr: unknown[], redaction: RedactionPolicy | undefined): string[] {
  const items: string[] = [];
  for (let i = 0; i < arr.length && i < MAX_RENDERED_ITEMS; i++) {
    const d = getOwnPropertyDescriptor(arr, i);
    ArrayPush(items, d === undefined ? '<empty>' : hasOwn(d, 'value') ? render(d.value, 1, redaction) : accessorLabel(d));
  }
  return items;
}

function renderObject(obj: object, prefix: string, redaction: RedactionPolicy | undefined): string {
  const keys = objectKeys(obj);
  if (keys.length === 0) return `${prefix}{}`;
  const parts: string[] = [];
  for (let i = 0; i < keys.length && i < MAX_RENDERED_PROPERTIES; i++) {
    const key = keys[i]!;
    const d = getOwnPropertyDescriptor(obj, key);
    let shown: string;
    if (redaction !== undefined && redaction.isRedactedName(key)) shown = REDACTED;
    else if (d === undefined) shown = 'undefined';
    else shown = hasOwn(d, 'value') ? render(d.value, 1, redaction) : accessorLabel(d);
    ArrayPush(parts, `${RegExpExec(IDENTIFIER, key) !== null ? key : quote(key)}: ${shown}`);
  }
  const more = keys.length - parts.length;
  if (more > 0) ArrayPush(parts, `... ${more} more propert${more === 1 ? 'y' : 'ies'}`);
  return `${prefix}{ ${ArrayJoin(parts, ', ')} }`;
}

function accessorLabel(d: PropertyDescriptor): string {
  const get = d.get !== undefined;
  const set = d.set !== undefined;
  return get && set ? '[Getter/Setter]' : get ? '[Getter]' : '[Setter]';
}

function renderFunction(fn: Function): string {
  const nameDesc = getOwnPropertyDescriptor(fn, 'name');
  const name = nameDesc !== undefined && typeof nameDesc.value === 'string' && nameDesc.value !== '' ? nameDesc.value : '';
  let isClass = false;
  try {
    isClass = StringStartsWith(FunctionToString(fn), 'class');
  } catch {
    // Not a real function source (should not happen for a non-Proxy function).
  }
  if (isClass) return name === '' ? '[class (anonymous)]' : `[class ${name}]`;
  return name === '' ? '[Function (anonymous)]' : `[Function: ${name}]`;
}

function renderRegExp(re: object): string {
  let flags = '';
  for (let i = 0; i < RegExpFlagGetters.length; i++) {
    const entry = RegExpFlagGetters[i]!;
    if (entry[1](re) === true) flags += entry[0];
  }
  return `/${RegExpSource(re)}/${flags}`;
}

function renderError(err: object, name: string): string {
  const d = getOwnPropertyDescriptor(err, 'message');
  const message = d !== undefined && typeof d.value === 'string' ? d.value : '';
  return message === '' ? `[${name}]` : `[${name}: ${cut(message, MAX_NESTED_STRING)}]`;
}

function cut(s: string, max: number): string {
  return s.length > max ? `${StringSlice(s, 0, max)}...` : s;
}

/** `util.inspect`-style single-quoted string. */
function quote(s: string): string {
  const t = cut(s, MAX_NESTED_STRING);
  let out = "'";
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === "'") out += "\\'";
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else out += c;
  }
  return `${out}'`;
}
