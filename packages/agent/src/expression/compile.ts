/**
 * Compiles the JSON AST into a tree of closures once, at probe install. A hit then calls the
 * root closure: no AST walk, no operator lookup, and no allocation on the happy path beyond
 * what a property read needs. All validation (operators, operand shapes, identifiers, literal
 * regexes, `@it` outside a predicate) happens here and throws {@link ExpressionCompileError}.
 */
import { EvaluationFailure, ExpressionCompileError, ExpressionEvaluationError, describeThrown, toEvaluationError, typeError } from './errors.js';
import { enterFrame, leaveFrame, newFrame, type Frame } from './frame.js';
import { RegExpExec, RegExpFlagGetters, RegExpSource, StringEndsWith, StringStartsWith, StringSubstring, getPrototypeOf, isProxy, isRegExp } from '../safe/intrinsics.js';
import { iterate, type Evaluator, type IterationMode } from './iterate.js';
import {
  FRAME_SPECIAL_REFS,
  GLOBAL_CONSTANT_REFS,
  PREDICATE_REFS,
  TYPEOF_NAMES,
  isLegalIdentifier,
  operatorNode,
} from './operators.js';
import { compilePattern, type SafePattern } from './regex.js';
import { NOT_FOUND, type CompileOptions, type EvaluationScope, type RedactionPolicy } from './scope.js';
import {
  checkType,
  comparable,
  containsValue,
  getMember,
  indexValue,
  isInstanceOfConstructor,
  isOfTypeName,
  redactedMember,
  redactedName,
  typeNameOf,
  sizeOf,
  stringOf,
} from './values.js';

/** Deeper ASTs are refused: evaluation recursion must stay far from the stack limit. */
export const MAX_AST_DEPTH = 100;

const RegExpPrototype = RegExp.prototype;

/** An expression ready to evaluate at a hit. */
export interface CompiledExpression {
  /** The `dsl` text, used as `expr` in errors. */
  readonly dsl: string;
  /** The value of the expression; throws {@link ExpressionEvaluationError}. */
  evaluate(scope: EvaluationScope): unknown;
}

/** A `when` condition: the expression must produce a boolean. */
export interface CompiledCondition {
  readonly dsl: string;
  /** Throws {@link ExpressionEvaluationError}, also for a non-boolean result. */
  test(scope: EvaluationScope): boolean;
}

interface Context {
  readonly redaction: RedactionPolicy | undefined;
  /** How many predicates (`any`/`all`/`filter`) enclose the node. */
  readonly predicateDepth: number;
  /** 0 for the root node, whose result is the expression's value. */
  readonly depth: number;
}

/** Compiles an expression's JSON AST; throws {@link ExpressionCompileError}. */
export function compileExpression(json: unknown, dsl = '', options: CompileOptions = {}): CompiledExpression {
  const root = compileNode(json, options.path ?? 'json', { redaction: options.redaction, predicateDepth: 0, depth: 0 });
  return new Expression(dsl, root, options.redaction);
}

/** Compiles a `when` condition; the result must be a boolean at evaluation time. */
export function compileCondition(json: unknown, dsl = '', options: CompileOptions = {}): CompiledCondition {
  const expr = compileExpression(json, dsl, options);
  return {
    dsl,
    test(scope: EvaluationScope): boolean {
      const v = expr.evaluate(scope);
      if (typeof v !== 'boolean') {
        throw new ExpressionEvaluationError(dsl, `TypeError: Condition must evaluate to a boolean, got ${typeName(v)}`, 'error');
      }
      return v;
    },
  };
}

function typeName(v: unknown): string {
  return v === null ? 'null' : typeof v;
}

class Expression implements CompiledExpression {
  readonly #root: Evaluator;
  readonly #redaction: RedactionPolicy | undefined;
  readonly #frame: Frame;

  constructor(
    readonly dsl: string,
    root: Evaluator,
    redaction: RedactionPolicy | undefined,
  ) {
    this.#root = root;
    this.#redaction = redaction;
    this.#frame = newFrame(redaction);
  }

  evaluate(scope: EvaluationScope): unknown {
    let f = this.#frame;
    if (f.busy) f = newFrame(this.#redaction);
    enterFrame(f, scope);
    try {
      return this.#root(f);
    } catch (e) {
      throw toEvaluationError(e, this.dsl);
    } finally {
      leaveFrame(f);
    }
  }
}

function fail(detail: string, path: string): never {
  throw new ExpressionCompileError(detail, path);
}

function isLiteral(json: unknown): json is null | number | string | boolean {
  return json === null || typeof json === 'number' || typeof json === 'string' || typeof json === 'boolean';
}

function compileNode(json: unknown, path: string, ctx: Context): Evaluator {
  if (ctx.depth > MAX_AST_DEPTH) fail(`expression is nested more than ${MAX_AST_DEPTH} levels deep`, path);
  if (isLiteral(json)) {
    if (typeof json === 'number' && !Number.isFinite(json)) fail('number literal is not finite', path);
    return () => json;
  }
  if (Array.isArray(json)) fail('an array is not valid at this location', path);
  if (typeof json !== 'object' || json === undefined) fail(`unexpected ${typeof json} value`, path);
  const { op, operand, shape, at } = operatorNode(json, path);
  const inner: Context = { ...ctx, depth: ctx.depth + 1 };

  const args = (count: number | [number, number]): unknown[] => {
    const [min, max] = typeof count === 'number' ? [count, count] : count;
    if (!Array.isArray(operand)) fail(`"${op}" expects an array of ${min === max ? min : `${min} to ${max}`} operands`, at);
    if (operand.length < min || operand.length > max) {
      fail(`"${op}" expects ${min === max ? min : `${min} to ${max}`} operands, got ${operand.length}`, at);
    }
    return operand;
  };
  const sub = (i: number, c: Context = inner): Evaluator => compileNode((operand as unknown[])[i], `${at}[${i}]`, c);

  switch (shape) {
    case 'name':
      if (typeof operand !== 'string') fail('"ref" expects a variable name string', at);
      return compileRef(operand, at, ctx);
    case 'unary': {
      if (Array.isArray(operand)) fail(`"${op}" expects a single operand, not an array`, at);
      const a = compileNode(operand, at, inner);
      return compileUnary(op, a);
    }
    case 'member': {
      const [, name] = args(2);
      if (typeof name !== 'string') fail('"getmember" expects a literal property name string', `${at}[1]`);
      const o = sub(0);
      const policy = ctx.redaction;
      const root = ctx.depth === 0;
      if (policy !== undefined && policy.isRedactedName(name)) {
        return (f) => {
          throw redactedMember(o(f), name, root);
        };
      }
      return (f) => getMember(f, o(f), name, root);
    }
    case 'typeName': {
      const [, type] = args(2);
      if (typeof type !== 'string' || type === '') fail('"instanceof" expects a type name string', `${at}[1]`);
      return compileInstanceof(sub(0), type);
    }
    case 'predicate': {
      args(2);
      const coll = sub(0);
      const pred = sub(1, { ...inner, predicateDepth: ctx.predicateDepth + 1 });
      const mode = op as IterationMode;
      return (f) => iterate(f, coll(f), pred, mode);
    }
    case 'nary': {
      const list = args([1, Number.MAX_SAFE_INTEGER]);
      const ops = list.map((_, i) => sub(i));
      return op === 'and' ? compileAnd(ops) : compileOr(ops);
    }
    case 'substring': {
      const list = args([2, 3]);
      const s = sub(0);
      const start = sub(1);
      const end = list.length === 3 ? sub(2) : undefined;
      return (f) => {
        const str = stringOf(s(f));
        if (str === undefined) throw typeError('Variable is not a string');
        const a = start(f);
        const b = end === undefined ? undefined : end(f);
        if (typeof a !== 'number' || (b !== undefined && typeof b !== 'number')) throw typeError('Index is not a number');
        return StringSubstring(str, a, b);
      };
    }
    case 'binary': {
      const list = args(2);
      if (op === 'matches') return compileMatches(sub(0), list[1], `${at}[1]`, inner);
      return compileBinary(op, sub(0), sub(1), list[1], ctx.depth === 0);
    }
  }
}

function referenceError(name: string): EvaluationFailure {
  return new EvaluationFailure('ReferenceError', `${name} is not defined`);
}

function compileRef(name: string, at: string, ctx: Context): Evaluator {
  const root = ctx.depth === 0;
  if (PREDICATE_REFS.has(name)) {
    if (ctx.predicateDepth === 0) fail(`${name} can only be used inside any, all or filter`, at);
    // The bindings honour redaction exactly as `getmember`/`index` would on the same entry
    // (iterate.ts marks entries with a redacted key), and refuse values of a redacted type.
    if (name === '@it') {
      return (f) => {
        const v = f.it;
        if (v === NOT_FOUND) throw referenceError(name);
        if (f.itRedactedAs !== undefined) throw redactedName(f.itRedactedAs);
        checkType(f, v);
        return v;
      };
    }
    if (name === '@key') {
      return (f) => {
        const v = f.key;
        if (v === NOT_FOUND) throw referenceError(name);
        checkType(f, v);
        return v;
      };
    }
    return (f) => {
      const v = f.value;
      if (v === NOT_FOUND) throw referenceError(name);
      if (f.valueRedactedAs !== undefined) throw redactedName(f.valueRedactedAs);
      checkType(f, v);
      return v;
    };
  }
  if (FRAME_SPECIAL_REFS.has(name)) {
    const field = name === 'this' ? 'thisValue' : name === '@return' ? 'returnValue' : name === '@duration' ? 'duration' : 'exception';
    return (f) => {
      const s = f.scope;
      const v = s[field];
      if (v === NOT_FOUND || (v === undefined && !(field in s))) throw referenceError(name);
      checkType(f, v, root);
      return v;
    };
  }
  if (name.startsWith('@')) fail(`unknown special variable ${JSON.stringify(name)}`, at);
  if (!isLegalIdentifier(name)) fail(`Illegal identifier: ${name}`, at);
  const policy = ctx.redaction;
  if (policy !== undefined && policy.isRedactedName(name)) {
    if (!root) {
      return () => {
        throw redactedName(name);
      };
    }
    // The expression's result is the redacted variable: look it up only for its type.
    return (f) => {
      let v: unknown;
      try {
        v = f.scope.lookup(name);
      } catch {
        throw redactedName(name, 'unknown');
      }
      if (v === NOT_FOUND) throw referenceError(name);
      throw redactedName(name, typeNameOf(v));
    };
  }
  const constant = name === 'undefined' ? undefined : name === 'Infinity' ? Infinity : NOT_FOUND;
  const isConstant = GLOBAL_CONSTANT_REFS.has(name);
  return (f) => {
    let v: unknown;
    try {
      v = f.scope.lookup(name);
    } catch (e) {
      // A `let`/`const` in its temporal dead zone.
      const { message } = describeThrown(e);
      throw new EvaluationFailure('ReferenceError', message || `${name} is not defined`);
    }
    if (v === NOT_FOUND) {
      if (isConstant) return constant;
      throw referenceError(name);
    }
    if (policy !== undefined) checkType(f, v, root);
    return v;
  };
}

function compileUnary(op: string, a: Evaluator): Evaluator {
  switch (op) {
    case 'len':
    case 'count':
      return (f) => sizeOf(a(f));
    case 'isEmpty':
      return (f) => sizeOf(a(f)) === 0;
    case 'not':
      return (f) => !a(f);
    case 'isDefined':
      return (f) => isDefined(a, f);
    default: // isUndefined
      return (f) => !isDefined(a, f);
  }
}

/** `true` unless evaluating throws; a redacted value exists, and a timeout still stops everything. */
function isDefined(a: Evaluator, f: Frame): boolean {
  try {
    a(f);
    return true;
  } catch (e) {
    if (e instanceof EvaluationFailure) {
      if (e.kind === 'timeout') throw e;
      return e.kind !== 'error';
    }
    return false;
  }
}

function compileAnd(ops: Evaluator[]): Evaluator {
  if (ops.length === 1) return ops[0]!;
  if (ops.length === 2) {
    const [a, b] = ops as [Evaluator, Evaluator];
    return (f) => a(f) && b(f);
  }
  return (f) => {
    let v: unknown = true;
    for (let i = 0; i < ops.length; i++) {
      v = ops[i]!(f);
      if (!v) return v;
    }
    return v;
  };
}

function compileOr(ops: Evaluator[]): Evaluator {
  if (ops.length === 1) return ops[0]!;
  if (ops.length === 2) {
    const [a, b] = ops as [Evaluator, Evaluator];
    return (f) => a(f) || b(f);
  }
  return (f) => {
    let v: unknown = false;
    for (let i = 0; i < ops.length; i++) {
      v = ops[i]!(f);
      if (v) return v;
    }
    return v;
  };
}

type Cmp = (a: any, b: any) => boolean; // eslint-disable-line @typescript-eslint/no-explicit-any

function compileBinary(op: string, a: Evaluator, b: Evaluator, rightJson: unknown, root: boolean): Evaluator {
  switch (op) {
    case 'eq':
      if (isLiteral(rightJson)) return (f) => a(f) === rightJson;
      return (f) => a(f) === b(f);
    case 'ne':
      if (isLiteral(rightJson)) return (f) => a(f) !== rightJson;
      return (f) => a(f) !== b(f);
    case 'lt':
      return relational(a, b, (x, y) => x < y);
    case 'le':
      return relational(a, b, (x, y) => x <= y);
    case 'gt':
      return relational(a, b, (x, y) => x > y);
    case 'ge':
      return relational(a, b, (x, y) => x >= y);
    case 'index':
      return (f) => indexValue(f, a(f), b(f), root);
    case 'contains':
      return (f) => containsValue(a(f), b(f));
    case 'startsWith':
    case 'endsWith': {
      const test = op === 'startsWith' ? StringStartsWith : StringEndsWith;
      return (f) => {
        const s = stringOf(a(f));
        const affix = stringOf(b(f));
        if (s === undefined || affix === undefined) throw typeError('Variable is not a string');
        return test(s, affix);
      };
    }
  }
  throw new Error(`unhandled binary operator ${op}`);
}

function relational(a: Evaluator, b: Evaluator, cmp: Cmp): Evaluator {
  return (f) => cmp(comparable(a(f)), comparable(b(f)));
}

function compileInstanceof(a: Evaluator, type: string): Evaluator {
  if (TYPEOF_NAMES.has(type) || !isLegalIdentifier(type)) return (f) => isOfTypeName(a(f), type);
  // A constructor visible in the frame is exact (two classes may share a name); otherwise match names.
  return (f) => {
    const v = a(f);
    let ctor: unknown;
    try {
      ctor = f.scope.lookup(type);
    } catch {
      ctor = NOT_FOUND;
    }
    if (typeof ctor === 'function' && !isProxy(ctor)) return isInstanceOfConstructor(v, ctor);
    return isOfTypeName(v, type);
  };
}

function compileMatches(subject: Evaluator, patternJson: unknown, at: string, ctx: Context): Evaluator {
  if (typeof patternJson === 'string') {
    let pattern: SafePattern;
    try {
      pattern = compilePattern(patternJson);
    } catch (e) {
      fail(`invalid regular expression ${JSON.stringify(patternJson)}: ${describeThrown(e).message}`, at);
    }
    return (f) => pattern.test(subjectString(subject(f)));
  }
  if (isLiteral(patternJson)) fail('"matches" expects a regular expression string', at);
  const dynamic = compileNode(patternJson, at, ctx);
  // One-entry cache: the same pattern usually comes back on every hit.
  let lastKey: string | undefined;
  let lastPattern: SafePattern | undefined;
  return (f) => {
    const s = subjectString(subject(f));
    const p = dynamic(f);
    let source: string;
    let flags = '';
    if (typeof p === 'string') source = p;
    else if (typeof p === 'object' && p !== null && !isProxy(p) && isRegExp(p) && getPrototypeOf(p) === RegExpPrototype) {
      source = RegExpSource(p);
      for (let i = 0; i < RegExpFlagGetters.length; i++) {
        const entry = RegExpFlagGetters[i]!;
        if (entry[0] !== 'g' && entry[0] !== 'y' && entry[1](p) === true) flags += entry[0];
      }
    } else {
      throw typeError('Regular expression must be either a string or an instance of RegExp');
    }
    const key = `${flags}/${source}`;
    if (key !== lastKey) {
      try {
        lastPattern = compilePattern(source, flags);
      } catch (e) {
        throw new EvaluationFailure('SyntaxError', invalidPatternText(describeThrown(e).message));
      }
      lastKey = key;
    }
    return lastPattern!.test(s);
  };
}

/**
 * V8 writes the pattern into its message (`Invalid regular expression: /(secret/: Unterminated
 * group`). A dynamic pattern is application data, so only V8's reason, which follows the last
 * `: `, is kept, and only when it looks like one of V8's fixed phrases.
 */
function invalidPatternText(v8Message: string): string {
  const m = RegExpExec(V8_REGEX_REASON, v8Message);
  return m === null ? 'Invalid regular expression' : `Invalid regular expression: ${m[1]}`;
}

/** The reason after the last `: ` (it holds no `:`), in the letters V8's phrases use. */
const V8_REGEX_REASON = /: ([A-Za-z][A-Za-z {}-]{0,60})$/;

function subjectString(v: unknown): string {
  const s = stringOf(v);
  if (s === undefined) throw typeError('Variable is not a string');
  return s;
}

/**
 * The top-level variable names an expression reads from the frame (`ref` names other than
 * `this`, `@…`, `undefined` and `Infinity`), plus `instanceof` type names that may resolve to a
 * constructor in scope. Lenient: malformed parts are skipped.
 */
export function referencedNames(json: unknown, into: Set<string> = new Set()): Set<string> {
  walk(json, into, 0);
  return into;
}

function walk(json: unknown, into: Set<string>, depth: number): void {
  if (depth > MAX_AST_DEPTH || typeof json !== 'object' || json === null) return;
  if (Array.isArray(json)) {
    for (const item of json) walk(item, into, depth + 1);
    return;
  }
  for (const [op, operand] of Object.entries(json)) {
    if (op === 'ref') {
      if (typeof operand === 'string' && isLegalIdentifier(operand) && !GLOBAL_CONSTANT_REFS.has(operand) && operand !== 'this') {
        into.add(operand);
      }
    } else if (op === 'instanceof' && Array.isArray(operand)) {
      walk(operand[0], into, depth + 1);
      const t = operand[1];
      if (typeof t === 'string' && !TYPEOF_NAMES.has(t) && isLegalIdentifier(t)) into.add(t);
    } else if (op === 'getmember' && Array.isArray(operand)) {
      walk(operand[0], into, depth + 1);
    } else {
      walk(operand, into, depth + 1);
    }
  }
}
