/**
 * The mutable state of one evaluation: the scope, the predicate bindings (`@it`, `@key`,
 * `@value`) and the deadline. One frame per compiled expression is reused across hits, so the
 * happy path allocates nothing here.
 */
import { EvaluationFailure } from './errors.js';
import { now } from '../safe/intrinsics.js';
import { DEFAULT_EVALUATION_BUDGET_MS, NOT_FOUND, type EvaluationScope, type RedactionPolicy } from './scope.js';

export interface Frame {
  scope: EvaluationScope;
  /** Predicate bindings; {@link NOT_FOUND} while unbound. */
  it: unknown;
  key: unknown;
  value: unknown;
  /**
   * The redacted key name of the current Map or object entry: reading `@value` (and, over a
   * Map, `@it`) is refused. Undefined when the entry is not redacted.
   */
  valueRedactedAs: string | undefined;
  /** The same for `@it`: set over Maps, where `@it` is the entry's value. */
  itRedactedAs: string | undefined;
  /** `performance.now()` ms; NaN until the first expensive step sets the default budget. */
  deadline: number;
  budgetMs: number;
  readonly redaction: RedactionPolicy | undefined;
  /** True while an evaluation uses this frame (re-entry gets a fresh one). */
  busy: boolean;
}

const EMPTY_SCOPE: EvaluationScope = { lookup: () => NOT_FOUND };

export function newFrame(redaction: RedactionPolicy | undefined): Frame {
  return {
    scope: EMPTY_SCOPE,
    it: NOT_FOUND,
    key: NOT_FOUND,
    value: NOT_FOUND,
    valueRedactedAs: undefined,
    itRedactedAs: undefined,
    deadline: Number.NaN,
    budgetMs: Number.NaN,
    redaction,
    busy: false,
  };
}

export function enterFrame(f: Frame, scope: EvaluationScope): void {
  f.busy = true;
  f.scope = scope;
  f.it = NOT_FOUND;
  f.key = NOT_FOUND;
  f.value = NOT_FOUND;
  f.valueRedactedAs = undefined;
  f.itRedactedAs = undefined;
  const deadline = scope.deadline;
  f.deadline = typeof deadline === 'number' ? deadline : Number.NaN;
  const budget = scope.budgetMs;
  f.budgetMs = typeof budget === 'number' ? budget : Number.NaN;
}

export function leaveFrame(f: Frame): void {
  f.busy = false;
  f.scope = EMPTY_SCOPE;
  f.it = f.key = f.value = NOT_FOUND;
}

/** The failure for an exhausted budget, with the reference's wording. */
export function budgetExceeded(f: Frame, t: number): EvaluationFailure {
  const text =
    f.budgetMs === f.budgetMs
      ? `Evaluation exceeded budget: ${(t - (f.deadline - f.budgetMs)).toFixed(1)}ms > ${f.budgetMs}ms`
      : 'Evaluation exceeded its deadline';
  return new EvaluationFailure('Error', text, 'timeout');
}

/** Milliseconds left; starts the default budget on first use. Throws once the deadline has passed. */
export function remainingMs(f: Frame): number {
  const t = now();
  if (f.deadline !== f.deadline) {
    f.deadline = t + DEFAULT_EVALUATION_BUDGET_MS;
    f.budgetMs = DEFAULT_EVALUATION_BUDGET_MS;
  }
  if (t > f.deadline) throw budgetExceeded(f, t);
  return f.deadline - t;
}

/** How many loop iterations run between two clock reads. */
export const DEADLINE_CHECK_INTERVAL = 256;
