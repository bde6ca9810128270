import { ProbeParseError, parseProbe, validateProbe, type CaptureLimits, type Expression } from '@periscope/protocol';
import { badRequest } from '../errors/index.js';
import type { DslCompiler } from './dsl-compiler.js';

/** An expression as users give it: DSL text, `{dsl?, json}`, or a bare JSON AST. */
export type ExpressionInput = string | { dsl?: string; json?: unknown } | Record<string, unknown>;

/** What the HTTP API accepts to create or update a (log) probe. */
export interface ProbeSpec {
  /** `src/orders.ts:42` (line probe) or `OrderService/charge` (method probe). */
  target?: string;
  where?: { sourceFile?: string; line?: number | string; typeName?: string; methodName?: string };
  service?: string | null;
  env?: string | null;
  when?: ExpressionInput | null;
  template?: string | null;
  segments?: Array<{ str: string } | { dsl?: string; json: unknown }> | null;
  captureSnapshot?: boolean;
  captureExpressions?: Array<{ name: string; expr: ExpressionInput; capture?: Partial<CaptureLimits> }> | null;
  sampling?: { snapshotsPerSecond: number } | null;
  capture?: Partial<CaptureLimits> | null;
  evaluateAt?: 'ENTRY' | 'EXIT' | 'DEFAULT';
  tags?: string[];
}

export type ProbeLocationSpec =
  | { kind: 'line'; sourceFile: string; line: number }
  | { kind: 'method'; typeName: string; methodName: string };

const LINE_TARGET = /^(.+):([0-9]+)$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Reads `target` or `where` into a location, or throws a 400 saying which forms are accepted. */
export function resolveLocation(spec: ProbeSpec): ProbeLocationSpec {
  if (spec.target !== undefined) {
    const target = spec.target.trim();
    const line = LINE_TARGET.exec(target);
    if (line) {
      const n = Number.parseInt(line[2]!, 10);
      if (n < 1) throw badRequest(`target "${target}": line numbers start at 1`);
      return { kind: 'line', sourceFile: line[1]!, line: n };
    }
    const parts = target.split('/');
    if (parts.length === 2 && parts[0] && parts[1] && IDENTIFIER.test(parts[1]) && !target.includes(':')) {
      return { kind: 'method', typeName: parts[0], methodName: parts[1] };
    }
    throw badRequest(
      `target "${target}" is neither "file:line" (e.g. src/orders.ts:42) nor "Type/method" (e.g. OrderService/charge)`,
    );
  }
  const where = spec.where;
  if (where?.sourceFile && where.line !== undefined) {
    const n = typeof where.line === 'number' ? where.line : Number.parseInt(where.line, 10);
    if (!Number.isInteger(n) || n < 1) throw badRequest(`where.line must be a positive integer, got ${JSON.stringify(where.line)}`);
    return { kind: 'line', sourceFile: where.sourceFile, line: n };
  }
  if (where?.typeName && where.methodName) {
    return { kind: 'method', typeName: where.typeName, methodName: where.methodName };
  }
  throw badRequest('a probe needs a "target" ("file:line" or "Type/method") or "where" ({sourceFile, line} or {typeName, methodName})');
}

/** Formats a location back into the `target` string form. */
export function formatTarget(location: ProbeLocationSpec): string {
  return location.kind === 'line' ? `${location.sourceFile}:${location.line}` : `${location.typeName}/${location.methodName}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compileExpression(input: ExpressionInput, where: string, dsl: DslCompiler | null): Expression {
  if (typeof input === 'string') return compileText(input, where, dsl);
  if (isPlainObject(input) && 'json' in input) {
    return { dsl: typeof input['dsl'] === 'string' ? input['dsl'] : '', json: input['json'] };
  }
  if (isPlainObject(input) && typeof input['dsl'] === 'string' && Object.keys(input).length === 1) {
    return compileText(input['dsl'], where, dsl);
  }
  return { dsl: '', json: input };
}

function compileText(text: string, where: string, dsl: DslCompiler | null): Expression {
  if (!dsl) {
    throw badRequest(
      `${where}: expression text ${JSON.stringify(text)} needs the DSL compiler from @periscope/agent, which is not ` +
        'available to this server; build the agent package, or send the JSON AST instead, ' +
        'e.g. {"json": {"gt": [{"getmember": [{"ref": "order"}, "total"]}, 100]}}',
    );
  }
  try {
    return { dsl: text, json: dsl.compile(text) };
  } catch (err) {
    throw badRequest(`${where}: cannot compile ${JSON.stringify(text)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Splits `Order {order.id} total {order.total}` into literal and expression segments. */
function templateSegments(template: string, dsl: DslCompiler | null): Array<{ str: string } | { dsl: string; json: unknown }> {
  const segments: Array<{ str: string } | { dsl: string; json: unknown }> = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch !== '{') {
      literal += ch;
      i++;
      continue;
    }
    let depth = 0;
    let j = i;
    for (; j < template.length; j++) {
      if (template[j] === '{') depth++;
      else if (template[j] === '}' && --depth === 0) break;
    }
    if (j >= template.length) throw badRequest(`template: unmatched "{" at character ${i + 1}`);
    const text = template.slice(i + 1, j).trim();
    if (text === '') throw badRequest(`template: empty expression "{}" at character ${i + 1}`);
    if (literal) segments.push({ str: literal });
    literal = '';
    const expr = compileText(text, `template expression {${text}}`, dsl);
    segments.push({ dsl: expr.dsl, json: expr.json });
    i = j + 1;
  }
  if (literal) segments.push({ str: literal });
  return segments;
}

/**
 * Builds the wire probe JSON (what tracers receive over Remote Config) from an API spec, and
 * checks it with the protocol's own `parseProbe` and its JSON schema (which also checks the shape of
 * every expression), so anything a tracer would reject is a 400 that names the offending path.
 */
export function buildProbeJson(id: string, version: number, spec: ProbeSpec, dsl: DslCompiler | null): Record<string, unknown> {
  const location = resolveLocation(spec);
  const template = spec.template ?? `Hit ${formatTarget(location)}`;
  const segments =
    spec.segments != null
      ? spec.segments.map((s, i) =>
          'str' in s ? { str: s.str } : (() => {
            const e = compileExpression(s as ExpressionInput, `segments[${i}]`, dsl);
            return { dsl: e.dsl, json: e.json };
          })(),
        )
      : templateSegments(template, dsl);
  const probe: Record<string, unknown> = {
    id,
    version,
    type: 'LOG_PROBE',
    language: 'javascript',
    where:
      location.kind === 'line'
        ? { sourceFile: location.sourceFile, lines: [String(location.line)] }
        : { typeName: location.typeName, methodName: location.methodName },
    tags: spec.tags ?? [],
    template,
    segments,
    captureSnapshot: spec.captureSnapshot === true,
  };
  if (spec.when != null) probe['when'] = compileExpression(spec.when, 'when', dsl);
  if (spec.capture != null) probe['capture'] = spec.capture;
  if (spec.captureExpressions != null && spec.captureExpressions.length > 0) {
    probe['captureExpressions'] = spec.captureExpressions.map((ce, i) => {
      const out: Record<string, unknown> = { name: ce.name, expr: compileExpression(ce.expr, `captureExpressions[${i}].expr`, dsl) };
      if (ce.capture) out['capture'] = ce.capture;
      return out;
    });
  }
  if (spec.sampling != null) probe['sampling'] = spec.sampling;
  if (location.kind === 'method') probe['evaluateAt'] = spec.evaluateAt ?? 'EXIT';
  else if (spec.evaluateAt) probe['evaluateAt'] = spec.evaluateAt;
  try {
    parseProbe(probe);
  } catch (err) {
    if (err instanceof ProbeParseError) throw badRequest(`invalid probe: ${err.message}`);
    throw err;
  }
  const checked = validateProbe(probe);
  if (!checked.ok) throw badRequest(`invalid probe: ${checked.errors.join('; ')}`);
  return probe;
}
