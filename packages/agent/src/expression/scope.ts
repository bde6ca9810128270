/**
 * What an evaluation reads: the hit's variables (through the engine's lookup), `this`, the
 * method-probe specials, and the time budget. Also the redaction policy the compiler consults.
 */

/** Returned by {@link EvaluationScope.lookup} for a name that is not visible in the frame. */
// Not registered with `Symbol.for`, so no application value can be mistaken for it.
export const NOT_FOUND: unique symbol = Symbol('periscope.expression.notFound');

/** The variables of one probe hit. */
export interface EvaluationScope {
  /** A local, argument or closure variable; {@link NOT_FOUND} when not visible. May throw (TDZ). */
  lookup(name: string): unknown;
  /** The receiver; leave out (or {@link NOT_FOUND}) where there is none. */
  readonly thisValue?: unknown;
  /** `@return`, method probes at EXIT. Leave out where not provided. */
  readonly returnValue?: unknown;
  /** `@duration` in milliseconds, method probes at EXIT. */
  readonly duration?: number;
  /** `@exception`, method probes at EXIT when the call threw. */
  readonly exception?: unknown;
  /**
   * Absolute deadline in `performance.now()` milliseconds. Loops, regex matches and template
   * rendering stop with a `timeout` error once it has passed. When absent, a deadline of
   * {@link DEFAULT_EVALUATION_BUDGET_MS} from the first expensive step applies.
   */
  readonly deadline?: number;
  /** The budget the deadline was computed from, for the error message. */
  readonly budgetMs?: number;
}

/** `DD_DYNAMIC_INSTRUMENTATION_EVALUATION_TIMEOUT_MS` default. */
export const DEFAULT_EVALUATION_BUDGET_MS = 50;

/** Which names and types must not be read by expressions (settings.md §5). */
export interface RedactionPolicy {
  isRedactedName(name: string): boolean;
  isRedactedType(typeName: string): boolean;
}

/** Compile-time options shared by expressions, conditions and templates. */
export interface CompileOptions {
  /** Where the expression sits in the probe JSON, for compile errors. Default `"json"`. */
  path?: string;
  redaction?: RedactionPolicy;
}
