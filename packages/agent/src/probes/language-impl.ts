/**
 * Binds the probe layer's {@link ProbeLanguage} to the expression language and the capture
 * layer, with the agent's redaction settings and time budgets.
 */
import type { CaptureLimits, CapturedValue, EvaluationError, Expression, ProbeEvent, TemplateSegment } from '@periscope/protocol';
import type { AgentConfig } from '../config/settings.js';
import { CaptureContext, Redaction, captureValue, captureVariables, pruneEvent, truncateMessage } from '../capture/index.js';
import {
  ExpressionEvaluationError,
  compileCondition,
  compileExpression,
  compileTemplate,
  referencedNames,
  type EvaluationScope,
} from '../expression/index.js';
import type { Lookup } from '../runtime/hit-runtime.js';
import type { EvalResult, HitScope, ProbeLanguage } from './language.js';

interface Scope extends EvaluationScope, HitScope {}

function failure(err: unknown, expr: string): EvalResult {
  if (err instanceof ExpressionEvaluationError) {
    const error = { expr, message: err.message };
    if ((err.kind === 'redactedIdent' || err.kind === 'redactedType') && err.valueType !== undefined) {
      return { ok: false, error, redacted: { type: err.valueType, notCapturedReason: err.kind } };
    }
    return { ok: false, error };
  }
  return { ok: false, error: { expr, message: `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}` } };
}

export function createProbeLanguage(config: AgentConfig): ProbeLanguage {
  const redaction = new Redaction({
    redactedIdentifiers: config.redactedIdentifiers,
    redactionExcludedIdentifiers: config.redactionExcludedIdentifiers,
    redactedTypes: config.redactedTypes,
  });
  const budgetMs = config.evaluationTimeoutMs;
  const addNames = (json: unknown, into: Set<string>) => {
    for (const n of referencedNames(json)) into.add(n);
  };
  return {
    compileCondition(expr: Expression, referenced: Set<string>) {
      const c = compileCondition(expr.json, expr.dsl, { path: 'when.json', redaction });
      addNames(expr.json, referenced);
      return {
        evaluate(scope: HitScope): EvalResult {
          try {
            return { ok: true, value: c.test(scope as Scope) };
          } catch (err) {
            return failure(err, expr.dsl);
          }
        },
      };
    },
    compileValue(expr: Expression, referenced: Set<string>, path = 'json') {
      const c = compileExpression(expr.json, expr.dsl, { path, redaction });
      addNames(expr.json, referenced);
      return {
        evaluate(scope: HitScope): EvalResult {
          try {
            return { ok: true, value: c.evaluate(scope as Scope) };
          } catch (err) {
            return failure(err, expr.dsl);
          }
        },
      };
    },
    compileTemplate(segments: TemplateSegment[], template: string, referenced: Set<string>) {
      const t = compileTemplate(segments, template, { redaction });
      for (const s of segments) if ('expr' in s) addNames(s.expr.json, referenced);
      return {
        render(scope: HitScope, deadline: number): { message: string; errors: EvaluationError[] } {
          const r = t.render({ ...(scope as Scope), deadline: Math.min(deadline, (scope as Scope).deadline ?? deadline) });
          return { message: r.message, errors: r.errors.map((e) => ({ expr: e.expr, message: e.message })) };
        },
      };
    },
    scope(thisValue: unknown, lookup: Lookup): HitScope {
      const scope: Scope = { __hitScope: true, lookup, thisValue, deadline: performance.now() + budgetMs, budgetMs };
      return scope;
    },
    captureValue(value: unknown, name: string, limits: CaptureLimits, deadline: number): CapturedValue {
      return captureValue(value, name, new CaptureContext({ limits, redaction, deadline }));
    },
    captureVariables(entries: Array<[string, unknown]>, limits: CaptureLimits, deadline: number) {
      return captureVariables(entries, new CaptureContext({ limits, redaction, deadline }));
    },
    truncateMessage,
    fitEvent(event: ProbeEvent): string | undefined {
      try {
        // The plain serialisation when the event already fits.
        return pruneEvent(event);
      } catch {
        return undefined; // even a bare event does not fit the cap
      }
    },
  };
}
