/**
 * Functions and classes. A function is `{type, fields: {name, length}}`; a class is
 * `{type: 'class Foo'}`. Closure variables and bound targets are not readable in-process.
 */
import type { CapturedValue } from '@periscope/protocol';
import { className, readDataProperty } from '../safe/reflect.js';
import type { CaptureContext } from './context.js';
import { fixedFields } from './encoding.js';
import { FunctionToString, isProxy } from '../safe/intrinsics.js';
import { NOT_CAPTURED } from './reasons.js';
import { captureProperty } from './serializer.js';

const FUNCTION_FIELDS = ['name', 'length'] as const;

export function captureFunction(fn: Function, level: number, ctx: CaptureContext): CapturedValue {
  if (isProxy(fn)) return { type: 'Proxy', notCapturedReason: NOT_CAPTURED.proxy };
  if (isClass(fn)) {
    const name = readDataProperty(fn, 'name');
    return { type: typeof name === 'string' && name !== '' ? `class ${name}` : 'class' };
  }
  const type = className(fn);
  if (ctx.redaction.hasRedactedTypes && ctx.redaction.isRedactedType(type)) {
    return { type, notCapturedReason: NOT_CAPTURED.redactedType };
  }
  if (level > ctx.maxReferenceDepth) return { type, notCapturedReason: NOT_CAPTURED.depth };
  const values = [captureProperty(fn, 'name', level + 1, ctx), captureProperty(fn, 'length', level + 1, ctx)];
  return fixedFields(type, FUNCTION_FIELDS, values, ctx.maxFieldCount);
}

/**
 * A class constructor's source text starts with `class`. The built-in `toString` returns a slice
 * of the script source (no copy) or `function x() { [native code] }`; it runs no user code.
 */
function isClass(fn: Function): boolean {
  let src: string;
  try {
    src = FunctionToString(fn);
  } catch {
    return false;
  }
  if (src.length < 6 || src[0] !== 'c' || src[1] !== 'l' || src[2] !== 'a' || src[3] !== 's' || src[4] !== 's') return false;
  const next = src[5];
  return next === ' ' || next === '{' || next === '\n' || next === '\t' || next === '\r' || next === '/';
}
