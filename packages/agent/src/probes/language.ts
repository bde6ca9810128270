/**
 * What a probe needs from the expression language and the capture layer, in one narrow
 * interface; `createProbeLanguage` (probes/language-impl.ts) binds it to the real modules.
 */
import type { CaptureLimits, CapturedValue, EvaluationError, Expression, ProbeEvent, TemplateSegment } from '@periscope/protocol';
import type { Lookup } from '../runtime/hit-runtime.js';

export type EvalResult =
  | { ok: true; value: unknown }
  /**
   * `redacted`: the expression's own result is a redacted identifier or type; a capture
   * expression reports this node (`{type, notCapturedReason}`) instead of an error.
   */
  | { ok: false; error: EvaluationError; redacted?: CapturedValue };

/** The variables of one hit, as the expression language reads them. */
export interface HitScope {
  readonly __hitScope: true;
}

export interface CompiledCondition {
  evaluate(scope: HitScope): EvalResult;
}
export type CompiledValue = CompiledCondition;

export interface CompiledTemplate {
  render(scope: HitScope, deadline: number): { message: string; errors: EvaluationError[] };
}

export interface ProbeLanguage {
  /** Each compile adds the variable names the expression reads to `referenced`; throws on a compile error. */
  compileCondition(expr: Expression, referenced: Set<string>): CompiledCondition;
  /** `path` names the expression in compile errors, e.g. `captureExpressions[2].expr.json`. */
  compileValue(expr: Expression, referenced: Set<string>, path?: string): CompiledValue;
  compileTemplate(segments: TemplateSegment[], template: string, referenced: Set<string>): CompiledTemplate;
  scope(thisValue: unknown, lookup: Lookup): HitScope;
  captureValue(value: unknown, name: string, limits: CaptureLimits, deadline: number): CapturedValue;
  captureVariables(entries: Array<[string, unknown]>, limits: CaptureLimits, deadline: number): Record<string, CapturedValue>;
  truncateMessage(message: string): string;
  /** The event's JSON, pruned to the 1 MiB cap when over it, or undefined when nothing fits. */
  fitEvent(event: ProbeEvent): string | undefined;
}
