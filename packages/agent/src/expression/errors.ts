/**
 * The two ways an expression fails: at install (`ExpressionCompileError`, the probe gets an
 * ERROR status) and at a hit (`ExpressionEvaluationError`, reported in `evaluationErrors`).
 * Inside the runtime a failure travels as a plain {@link EvaluationFailure} object: it has no
 * stack to capture, so a failing condition on a hot path stays cheap.
 */
import { types } from 'node:util';
import { withStackTraceLimit } from '../safe/reflect.js';

const { isNativeError, isProxy } = types;

/** An expression that cannot be installed: unknown operator, bad operand shape, bad identifier or regex. */
export class ExpressionCompileError extends Error {
  override readonly name = 'ExpressionCompileError';
  readonly code = 'PERISCOPE_ERR_EXPRESSION_COMPILE';
  constructor(
    /** What is wrong, without the location. */
    readonly detail: string,
    /** Where in the probe JSON, e.g. `when.json.and[1]`. */
    readonly path: string,
  ) {
    super(`Cannot compile expression: ${detail} at ${path}`);
  }
}

/** Why an evaluation failed; lets the engine tell budget overruns and redaction apart from bugs in the probe. */
export type EvaluationFailureKind = 'error' | 'timeout' | 'redactedIdent' | 'redactedType';

/** A failed evaluation, as reported in `debugger.snapshot.evaluationErrors`. */
export class ExpressionEvaluationError extends Error {
  override readonly name = 'ExpressionEvaluationError';
  readonly code = 'PERISCOPE_ERR_EXPRESSION_EVALUATION';
  constructor(
    /** The expression's `dsl` text (for capture expressions the engine reports the capture name). */
    readonly expr: string,
    /** `"<ErrorName>: <text>"`, e.g. `ReferenceError: x is not defined`. */
    message: string,
    readonly kind: EvaluationFailureKind,
    /**
     * For a redaction failure on the expression's own result (its root node), the redacted
     * value's type: a capture expression then reports `{type, notCapturedReason}` like a
     * redacted variable. Undefined when the redaction happened on an intermediate value.
     */
    readonly valueType?: string,
  ) {
    super(message);
  }

  /** The wire form, `{expr, message}`. */
  toJSON(): { expr: string; message: string } {
    return { expr: this.expr, message: this.message };
  }
}

/** Internal: thrown by compiled closures; converted to {@link ExpressionEvaluationError} at the boundary. */
export class EvaluationFailure {
  constructor(
    readonly errorName: string,
    readonly text: string,
    readonly kind: EvaluationFailureKind = 'error',
    /** See {@link ExpressionEvaluationError.valueType}. */
    readonly valueType?: string,
  ) {}

  get message(): string {
    return `${this.errorName}: ${this.text}`;
  }
}

export function typeError(text: string): EvaluationFailure {
  return new EvaluationFailure('TypeError', text);
}

export function plainError(text: string): EvaluationFailure {
  return new EvaluationFailure('Error', text);
}

export const SIDE_EFFECT = 'Possibility of side effect';

/** Reads `name`/`message` of a V8-created error without running user code. */
export function describeThrown(thrown: unknown): { name: string; message: string } {
  if (isNativeError(thrown) && !isProxy(thrown)) {
    const own = Object.getOwnPropertyDescriptor(thrown, 'message');
    const message = own !== undefined && typeof own.value === 'string' ? own.value : '';
    let name = 'Error';
    let proto = Object.getPrototypeOf(thrown) as object | null;
    for (let hops = 0; proto !== null && hops < 20 && !isProxy(proto); hops++) {
      const d = Object.getOwnPropertyDescriptor(proto, 'name');
      if (d !== undefined) {
        if (typeof d.value === 'string') name = d.value;
        break;
      }
      proto = Object.getPrototypeOf(proto) as object | null;
    }
    return { name, message };
  }
  return { name: 'Error', message: 'evaluation failed' };
}

/**
 * Converts anything thrown inside an evaluation into the public error. Created without a stack
 * trace: nobody reads it, and recording one costs more than the rest of a template's rendering.
 */
export function toEvaluationError(thrown: unknown, expr: string): ExpressionEvaluationError {
  if (thrown instanceof EvaluationFailure) return withStackTraceLimit(0, () => new ExpressionEvaluationError(expr, thrown.message, thrown.kind, thrown.valueType));
  // An engine error from our own code (stack overflow…): V8 created it, its data properties are safe to read.
  const { name, message } = describeThrown(thrown);
  return withStackTraceLimit(0, () => new ExpressionEvaluationError(expr, `${name}: ${message}`, 'error'));
}
