/**
 * Errors and `stack`. V8 formats `error.stack` lazily, the first time the property is read
 * (its descriptor included), and formatting calls `Error.prepareStackTrace` when the
 * application has set one (source-map-support does). So `stack` is only read when formatting
 * cannot run application code; otherwise it is reported with `notCapturedReason: 'userCode'`.
 */
import type { CapturedValue } from '@periscope/protocol';
import { readProperty } from '../safe/reflect.js';
import type { CaptureContext } from './context.js';
import { accessorType } from './encoding.js';
import {
  callWithThis,
  getOwnPropertyDescriptor,
  getPrototypeOf,
  hasOwn,
  isProxy,
  ObjectPrototype,
} from '../safe/intrinsics.js';
import { NOT_CAPTURED } from './reasons.js';
import { captureAt, expandFields, redactedIdent } from './serializer.js';

/** The realm's own `Error` and global, taken at load for the stack-formatting safety check. */
const MainError = Error;
const realmGlobal: object = globalThis;
/**
 * Node's own `Error.prepareStackTrace` (Node 20 installs one that calls its internal formatter),
 * recognised by name when the agent loads; `undefined` when absent or already replaced.
 */
const NodeDefaultPrepareStackTrace: unknown = (() => {
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
const ErrorStackGetters: ReadonlyArray<(this: unknown) => unknown> = (() => {
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

/** An error: its `name` (usually inherited, read as a data property only), then its own fields. */
export function expandError(err: object, type: string, level: number, ctx: CaptureContext): CapturedValue {
  const leading: Array<[string, CapturedValue]> = [];
  if (!hasOwn(err, 'name')) {
    const name = readProperty(err, 'name');
    if (name.kind === 'data') leading[leading.length] = ['name', captureAt(name.value, level + 1, ctx)];
  }
  // Where V8 keeps `stack` on the prototype, it is not an own key: add it like an own one.
  if (!hasOwn(err, 'stack') && inheritedNativeStackGetter(err) !== undefined) {
    leading[leading.length] = ['stack', readStack(err, level + 1, ctx)];
  }
  return expandFields(err, type, level, ctx, leading.length > 0 ? leading : undefined);
}

function isNativeStackGetter(fn: unknown): boolean {
  for (let i = 0; i < ErrorStackGetters.length; i++) if (ErrorStackGetters[i] === fn) return true;
  return false;
}

/** V8's own `stack` getter when that is what the prototype chain holds; stops at a Proxy. */
function inheritedNativeStackGetter(obj: object): ((this: unknown) => unknown) | undefined {
  let proto = getPrototypeOf(obj);
  for (let hops = 0; proto !== null && hops < 1000; hops++) {
    if (isProxy(proto)) return undefined;
    const desc = getOwnPropertyDescriptor(proto, 'stack');
    if (desc !== undefined) return hasOwn(desc, 'get') && isNativeStackGetter(desc.get) ? desc.get : undefined;
    proto = getPrototypeOf(proto);
  }
  return undefined;
}

/** The own `stack` property of any object (errors, and objects given to `Error.captureStackTrace`). */
export function readStack(obj: object, level: number, ctx: CaptureContext): CapturedValue {
  const redacted = ctx.redaction.isRedactedName('stack');
  if (!stackFormattingIsSafe(obj)) {
    return { type: 'string', notCapturedReason: redacted ? NOT_CAPTURED.redactedIdent : NOT_CAPTURED.userCode };
  }
  let value: unknown;
  try {
    const desc = getOwnPropertyDescriptor(obj, 'stack');
    if (desc === undefined) {
      const inherited = inheritedNativeStackGetter(obj);
      if (inherited === undefined) return { type: 'undefined' };
      value = callWithThis(inherited, obj);
    } else if (hasOwn(desc, 'value')) value = desc.value;
    else if (isNativeStackGetter(desc.get)) value = callWithThis(desc.get!, obj);
    else return redacted ? { type: accessorType(desc), notCapturedReason: NOT_CAPTURED.redactedIdent } : { type: accessorType(desc) };
  } catch {
    // Formatting threw (e.g. a symbol `name`): the rest of the object is still captured.
    return { type: 'string', notCapturedReason: NOT_CAPTURED.error };
  }
  return redacted ? redactedIdent(value) : captureAt(value, level, ctx);
}

/**
 * Node formats a stack with the `Error.prepareStackTrace` of the error's realm, then of the main
 * realm (lib/internal/errors.js); its own default then reads `name`, `message` (and `code`) to
 * build the first line. Safe when the object comes from this realm (its prototype chain ends at
 * this realm's Object.prototype, no Proxy on the way), neither `Error` has a `prepareStackTrace`
 * other than Node's default, and those three properties are primitive data properties.
 */
function stackFormattingIsSafe(obj: object): boolean {
  let last: object = obj;
  let proto = getPrototypeOf(obj);
  for (let hops = 0; proto !== null; hops++) {
    if (hops > 1000 || isProxy(proto)) return false;
    last = proto;
    proto = getPrototypeOf(proto);
  }
  if (last !== ObjectPrototype) return false;
  const globalError = readProperty(realmGlobal, 'Error');
  if (globalError.kind === 'data') {
    if (!prepareStackTraceIsUnset(globalError.value)) return false;
  } else if (globalError.kind !== 'missing') {
    return false;
  }
  if (!prepareStackTraceIsUnset(MainError)) return false;
  return headerIsPlainData(obj, 'name') && headerIsPlainData(obj, 'message') && headerIsPlainData(obj, 'code');
}

function prepareStackTraceIsUnset(errorCtor: unknown): boolean {
  if (errorCtor === undefined || errorCtor === null) return true;
  if (typeof errorCtor !== 'function' && typeof errorCtor !== 'object') return false;
  const prepare = readProperty(errorCtor, 'prepareStackTrace');
  if (prepare.kind === 'missing') return true;
  if (prepare.kind !== 'data') return false;
  return typeof prepare.value !== 'function' || prepare.value === NodeDefaultPrepareStackTrace;
}

/** Reading it is a data read, and turning it into text cannot call `toString`/`valueOf`. */
function headerIsPlainData(obj: object, key: string): boolean {
  const r = readProperty(obj, key);
  if (r.kind === 'missing') return true;
  if (r.kind !== 'data') return false;
  const t = typeof r.value;
  return t !== 'object' && t !== 'function';
}
