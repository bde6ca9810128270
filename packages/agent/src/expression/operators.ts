/**
 * The operator catalogue of the JSON AST (expression-language.md §1.2): each operator's operand
 * shape, shared by the compiler, the DSL parser and the DSL printer so they cannot disagree.
 */
import { ExpressionCompileError } from './errors.js';

/**
 * - `name`: a string (`ref`)
 * - `unary`: one node, not an array (`not`, `len` …)
 * - `binary`: `[node, node]`
 * - `member`: `[node, "literal name"]` (`getmember`)
 * - `typeName`: `[node, "Type"]` (`instanceof`)
 * - `predicate`: `[collection, predicate]` (`any`, `all`, `filter`)
 * - `nary`: `[node, …]`, at least one (`and`, `or`)
 * - `substring`: `[node, node]` or `[node, node, node]`
 */
export type OperandShape = 'name' | 'unary' | 'binary' | 'member' | 'typeName' | 'predicate' | 'nary' | 'substring';

export const OPERATORS: Readonly<Record<string, OperandShape>> = Object.freeze<Record<string, OperandShape>>({
  ref: 'name',
  getmember: 'member',
  index: 'binary',
  len: 'unary',
  count: 'unary',
  isEmpty: 'unary',
  isDefined: 'unary',
  isUndefined: 'unary',
  not: 'unary',
  any: 'predicate',
  all: 'predicate',
  filter: 'predicate',
  startsWith: 'binary',
  endsWith: 'binary',
  contains: 'binary',
  matches: 'binary',
  eq: 'binary',
  ne: 'binary',
  lt: 'binary',
  le: 'binary',
  gt: 'binary',
  ge: 'binary',
  and: 'nary',
  or: 'nary',
  instanceof: 'typeName',
  substring: 'substring',
});

export function operatorShape(op: string): OperandShape | undefined {
  return Object.hasOwn(OPERATORS, op) ? OPERATORS[op] : undefined;
}

/** An operator node `{op: operand}` taken apart; `at` is the operand's path. */
export interface OperatorNode {
  op: string;
  operand: unknown;
  shape: OperandShape;
  at: string;
}

/** Splits an operator node, or throws the compile error for a node that is not one. */
export function operatorNode(json: object, path: string): OperatorNode {
  const keys = Object.keys(json);
  if (keys.length !== 1) throw new ExpressionCompileError(`an operator node must have exactly one key, found ${keys.length}`, path);
  const op = keys[0]!;
  const operand = (json as Record<string, unknown>)[op];
  const shape = operatorShape(op);
  if (shape === undefined) throw new ExpressionCompileError(`unknown operator ${JSON.stringify(op)}`, path);
  return { op, operand, shape, at: `${path}.${op}` };
}

/** Special references (§2). `this` is a keyword reference, the rest start with `@`. */
export const PREDICATE_REFS: ReadonlySet<string> = new Set(['@it', '@key', '@value']);
export const FRAME_SPECIAL_REFS: ReadonlySet<string> = new Set(['this', '@return', '@duration', '@exception']);

/** Allowed as `ref` though reserved or global: dd-trace-js accepts these. */
export const GLOBAL_CONSTANT_REFS: ReadonlySet<string> = new Set(['undefined', 'Infinity']);

const IDENTIFIER = /^[a-zA-Z_$][\w$]*$/;

/** Reserved words that cannot name a variable (dd-trace-js's list, with `NaN`). */
const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return',
  'switch', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'let', 'static', 'yield', 'await',
  'enum', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'NaN',
]);

/** A name a `ref` may read from the frame (not a special reference). */
export function isLegalIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED_WORDS.has(name);
}

/** JS `typeof` names accepted by `instanceof` (plus `null` and `object` told apart). */
export const TYPEOF_NAMES: ReadonlySet<string> = new Set([
  'string', 'number', 'bigint', 'boolean', 'undefined', 'symbol', 'null', 'object', 'function',
]);
