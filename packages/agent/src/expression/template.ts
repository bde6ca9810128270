/**
 * Log templates: literal segments verbatim, expression segments evaluated and rendered
 * (expression-language.md §5). A failing segment becomes `{<ErrorName>: <text>}` plus an
 * `errors` entry and the rest still renders; a redacted value becomes `{redacted}`. Messages are
 * capped at {@link MAX_MESSAGE_CHARS}.
 */
import { MAX_MESSAGE_CHARS, type EvaluationError, type TemplateSegment } from '@periscope/protocol';
import { compileExpression, type CompiledExpression } from './compile.js';
import { ExpressionEvaluationError } from './errors.js';
import { now, StringSlice } from '../safe/intrinsics.js';
import { REDACTED, renderValue } from './render.js';
import type { CompileOptions, EvaluationScope, RedactionPolicy } from './scope.js';

export interface RenderedMessage {
  message: string;
  errors: EvaluationError[];
}

export interface CompiledTemplate {
  /** True when there is no expression segment: the message is constant. */
  readonly isConstant: boolean;
  render(scope: EvaluationScope): RenderedMessage;
}

type Part = string | CompiledExpression;

/** Compiles the segments; throws `ExpressionCompileError` (path `segments[i].json…`) for a bad one. */
export function compileTemplate(segments: readonly TemplateSegment[], template: string, options: CompileOptions = {}): CompiledTemplate {
  const base = options.path ?? 'segments';
  const parts: Part[] = [];
  segments.forEach((seg, i) => {
    if ('str' in seg) parts.push(seg.str);
    else parts.push(compileExpression(seg.expr.json, seg.expr.dsl, { ...options, path: `${base}[${i}].json` }));
  });
  if (segments.length === 0) parts.push(template);
  return new Template(parts, options.redaction);
}

class Template implements CompiledTemplate {
  readonly isConstant: boolean;
  readonly #parts: readonly Part[];
  readonly #redaction: RedactionPolicy | undefined;
  readonly #constant: string | undefined;

  constructor(parts: Part[], redaction: RedactionPolicy | undefined) {
    this.#parts = parts;
    this.#redaction = redaction;
    this.isConstant = parts.every((p) => typeof p === 'string');
    this.#constant = this.isConstant ? capMessage((parts as string[]).join('')) : undefined;
  }

  render(scope: EvaluationScope): RenderedMessage {
    if (this.#constant !== undefined) return { message: this.#constant, errors: [] };
    let message = '';
    const errors: EvaluationError[] = [];
    for (const part of this.#parts) {
      if (message.length > MAX_MESSAGE_CHARS) break; // already cut below
      if (typeof part === 'string') {
        message += part;
        continue;
      }
      if (scope.deadline !== undefined && now() > scope.deadline) {
        const text = 'Error: Evaluation exceeded its deadline';
        message += `{${text}}`;
        errors.push({ expr: part.dsl, message: text });
        continue;
      }
      try {
        message += renderValue(part.evaluate(scope), this.#redaction);
      } catch (e) {
        if (e instanceof ExpressionEvaluationError && (e.kind === 'redactedIdent' || e.kind === 'redactedType')) {
          message += REDACTED;
        } else {
          const text = e instanceof ExpressionEvaluationError ? e.message : 'Error: evaluation failed';
          message += `{${text}}`;
          errors.push({ expr: part.dsl, message: text });
        }
      }
    }
    return { message: capMessage(message), errors };
  }
}

/**
 * Cuts a message to its first {@link MAX_MESSAGE_CHARS} characters and appends `…`, as dd-trace-js
 * does (snapshots.md §6) and as the event's final `truncateMessage` does, so the two caps agree.
 * A surrogate pair is never split.
 */
export function capMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  let cut = MAX_MESSAGE_CHARS;
  const last = message[cut - 1]!; // indexing a primitive string runs no prototype method
  if (last >= '\ud800' && last <= '\udbff') cut--;
  return `${StringSlice(message, 0, cut)}…`;
}
