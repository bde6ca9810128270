/**
 * Prints a JSON AST as DSL text, the inverse of `parseDsl`: `parseDsl(formatDsl(ast))`
 * deep-equals `ast` for every valid AST. Infix and access forms are used where they exist,
 * the call form (`len(x)`, `getmember(x, "a b")`) everywhere else; parentheses keep nesting
 * that the flat `&&`/`||` chains would otherwise merge.
 */
import { ExpressionCompileError } from './errors.js';
import { operatorNode, operatorShape } from './operators.js';

const INFIX: Record<string, string> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };
const IDENT = /^[A-Za-z_$][\w$]*$/;
const SPECIAL = /^@[A-Za-z_]\w*$/;
const LITERAL_WORDS = new Set(['true', 'false', 'null', 'instanceof']);

/** Binding strength of a printed node: higher binds tighter. */
const enum Level {
  Or = 1,
  And = 2,
  Not = 3,
  Compare = 4,
  Access = 5,
}

/** Prints an AST as DSL text; throws `ExpressionCompileError` for a malformed AST. */
export function formatDsl(json: unknown): string {
  return fmt(json, 'json')[0];
}

function fail(detail: string, path: string): never {
  throw new ExpressionCompileError(detail, path);
}

function literal(v: null | number | string | boolean): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail('number literal is not finite', 'json');
    return Object.is(v, -0) ? '-0' : String(v);
  }
  return String(v);
}

function wrap([text, level]: [string, Level], min: Level): string {
  return level >= min ? text : `(${text})`;
}

function fmt(json: unknown, path: string): [string, Level] {
  if (json === null || typeof json === 'number' || typeof json === 'string' || typeof json === 'boolean') {
    return [literal(json), Level.Access];
  }
  if (typeof json !== 'object' || Array.isArray(json)) fail('an array is not valid at this location', path);
  const { op, operand, shape, at } = operatorNode(json, path);
  const list = (min: number, max: number): unknown[] => {
    if (!Array.isArray(operand) || operand.length < min || operand.length > max) fail(`"${op}" has the wrong number of operands`, at);
    return operand;
  };
  const arg = (i: number): string => fmt((operand as unknown[])[i], `${at}[${i}]`)[0];
  const access = (i: number): string => wrap(fmt((operand as unknown[])[i], `${at}[${i}]`), Level.Access);

  switch (shape) {
    case 'name':
      if (typeof operand !== 'string') fail('"ref" expects a name', at);
      if ((IDENT.test(operand) && !LITERAL_WORDS.has(operand) && operatorShape(operand) === undefined) || SPECIAL.test(operand)) {
        return [operand, Level.Access];
      }
      return [`ref(${JSON.stringify(operand)})`, Level.Access];
    case 'member': {
      const [, name] = list(2, 2);
      if (typeof name !== 'string') fail('"getmember" expects a name', `${at}[1]`);
      if (IDENT.test(name)) return [`${access(0)}.${name}`, Level.Access];
      return [`getmember(${arg(0)}, ${JSON.stringify(name)})`, Level.Access];
    }
    case 'typeName': {
      const [, type] = list(2, 2);
      if (typeof type !== 'string') fail('"instanceof" expects a type name', `${at}[1]`);
      return [`instanceof(${arg(0)}, ${JSON.stringify(type)})`, Level.Access];
    }
    case 'unary': {
      if (Array.isArray(operand)) fail(`"${op}" expects a single operand`, at);
      const inner = fmt(operand, at);
      if (op === 'not') return [`!${wrap(inner, Level.Access)}`, Level.Not];
      return [`${op}(${inner[0]})`, Level.Access];
    }
    case 'predicate':
      list(2, 2);
      return [`${op}(${arg(0)}, {${arg(1)}})`, Level.Access];
    case 'nary': {
      const items = list(1, Infinity);
      if (items.length === 1) return [`${op}(${arg(0)})`, Level.Access];
      // Same-operator children need parentheses, or parsing would flatten them into this chain.
      const min = op === 'and' ? Level.Not : Level.And;
      const parts = items.map((item, i) => {
        const printed = fmt(item, `${at}[${i}]`);
        const sameOp = typeof item === 'object' && item !== null && !Array.isArray(item) && Object.keys(item)[0] === op;
        return sameOp && Object.keys(item).length === 1 && Array.isArray((item as Record<string, unknown>)[op]) && (item as Record<string, unknown[]>)[op]!.length > 1
          ? `(${printed[0]})`
          : wrap(printed, min);
      });
      return [parts.join(op === 'and' ? ' && ' : ' || '), op === 'and' ? Level.And : Level.Or];
    }
    case 'substring': {
      const items = list(2, 3);
      return [`substring(${items.map((_, i) => arg(i)).join(', ')})`, Level.Access];
    }
    case 'binary': {
      list(2, 2);
      if (op === 'index') return [`${access(0)}[${arg(1)}]`, Level.Access];
      const infix = INFIX[op];
      if (infix !== undefined) return [`${access(0)} ${infix} ${access(1)}`, Level.Compare];
      return [`${op}(${arg(0)}, ${arg(1)})`, Level.Access];
    }
  }
}
