/**
 * Parses the human-readable `dsl` text into the JSON AST, for tools and tests (tracers never
 * execute `dsl`). Grammar (expression-language.md §4), loosest first:
 *
 *     or      := and ( "||" and )*                     n-ary, flat
 *     and     := unary ( "&&" unary )*
 *     unary   := "!" unary | compare
 *     compare := access ( ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) access
 *                       | "instanceof" ( STRING | IDENT ) )?
 *     access  := primary ( "." IDENT | "[" or "]" )*
 *     primary := NUMBER | "-" NUMBER | STRING | true | false | null | IDENT | "@" IDENT
 *              | OPERATOR "(" args ")" | "(" or ")"
 *
 * Every operator also has a call form, `op(arg, …)`; predicates may be wrapped in braces:
 * `any(items, {@it > 1})`. Errors name the 1-based column.
 */
import { operatorShape } from './operators.js';

/** A syntax error in DSL text. */
export class DslSyntaxError extends Error {
  override readonly name = 'DslSyntaxError';
  readonly code = 'PERISCOPE_ERR_DSL_SYNTAX';
  constructor(
    detail: string,
    /** 1-based column of the offending character. */
    readonly column: number,
  ) {
    super(`${detail} at column ${column}`);
  }
}

type TokenKind = 'num' | 'str' | 'ident' | 'special' | 'punct' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  value?: number | string;
  /** 0-based offset */
  pos: number;
}

const PUNCT = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '[', ']', '{', '}', ',', '.', '-'];
const MAX_NESTING = 100;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (c >= '0' && c <= '9') {
      const m = /^(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i))!;
      const after = text[i + m[0].length];
      if (after !== undefined && /[\w$]/.test(after)) throw new DslSyntaxError(`Invalid number "${m[0]}${after}"`, i + 1);
      tokens.push({ kind: 'num', text: m[0], value: Number(m[0]), pos: start });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const [value, end] = readString(text, i);
      tokens.push({ kind: 'str', text: text.slice(i, end), value, pos: start });
      i = end;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][\w$]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    if (c === '@') {
      const m = /^@[A-Za-z_]\w*/.exec(text.slice(i));
      if (m === null) throw new DslSyntaxError('Expected a name after "@"', i + 1);
      tokens.push({ kind: 'special', text: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    const p = PUNCT.find((q) => text.startsWith(q, i));
    if (p === undefined) throw new DslSyntaxError(`Unexpected character ${JSON.stringify(c)}`, i + 1);
    tokens.push({ kind: 'punct', text: p, pos: start });
    i += p.length;
  }
  tokens.push({ kind: 'end', text: '', pos: text.length });
  return tokens;
}

const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function readString(text: string, start: number): [string, number] {
  const quoteChar = text[start]!;
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === quoteChar) return [out, i + 1];
    if (c === '\\') {
      const e = text[i + 1];
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new DslSyntaxError('Invalid \\u escape', i + 1);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
        continue;
      }
      if (e === undefined || !Object.hasOwn(ESCAPES, e)) throw new DslSyntaxError(`Invalid escape "\\${e ?? ''}"`, i + 1);
      out += ESCAPES[e];
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw new DslSyntaxError('Unterminated string', start + 1);
}

/** Parses DSL text into the JSON AST; throws {@link DslSyntaxError}. */
export function parseDsl(text: string): unknown {
  const tokens = tokenize(text);
  let k = 0;
  let nesting = 0;
  const peek = (): Token => tokens[k]!;
  const next = (): Token => tokens[k++]!;
  const unexpected = (t: Token): never => {
    throw new DslSyntaxError(t.kind === 'end' ? 'Unexpected end of expression' : `Unexpected ${JSON.stringify(t.text)}`, t.pos + 1);
  };
  const isPunct = (text: string): boolean => {
    const t = peek();
    return t.kind === 'punct' && t.text === text;
  };
  const expect = (text: string): void => {
    if (!isPunct(text)) {
      const t = peek();
      throw new DslSyntaxError(`Expected "${text}" but found ${t.kind === 'end' ? 'the end' : JSON.stringify(t.text)}`, t.pos + 1);
    }
    k++;
  };
  const nested = <T>(t: Token, fn: () => T): T => {
    if (++nesting > MAX_NESTING) throw new DslSyntaxError(`Expression nested more than ${MAX_NESTING} levels deep`, t.pos + 1);
    try {
      return fn();
    } finally {
      nesting--;
    }
  };

  const parseOr = (): unknown => nested(peek(), () => {
    const items = [parseAnd()];
    while (isPunct('||')) {
      k++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0] : { or: items };
  });
  const parseAnd = (): unknown => {
    const items = [parseUnary()];
    while (isPunct('&&')) {
      k++;
      items.push(parseUnary());
    }
    return items.length === 1 ? items[0] : { and: items };
  };
  const parseUnary = (): unknown => {
    if (isPunct('!')) {
      const t = next();
      return nested(t, () => ({ not: parseUnary() }));
    }
    return parseCompare();
  };
  const COMPARE: Record<string, string> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };
  const parseCompare = (): unknown => {
    const left = parseAccess();
    const t = peek();
    if (t.kind === 'punct' && Object.hasOwn(COMPARE, t.text)) {
      k++;
      return { [COMPARE[t.text]!]: [left, parseAccess()] };
    }
    if (t.kind === 'ident' && t.text === 'instanceof') {
      k++;
      const type = next();
      if (type.kind === 'str') return { instanceof: [left, type.value] };
      if (type.kind === 'ident') return { instanceof: [left, type.text] };
      return unexpected(type);
    }
    return left;
  };
  const parseAccess = (): unknown => {
    let node = parsePrimary();
    for (;;) {
      if (isPunct('.')) {
        k++;
        const name = next();
        if (name.kind !== 'ident') unexpected(name);
        node = { getmember: [node, name.text] };
      } else if (isPunct('[')) {
        k++;
        const key = parseOr();
        expect(']');
        node = { index: [node, key] };
      } else {
        return node;
      }
    }
  };
  const parsePrimary = (): unknown => {
    const t = next();
    switch (t.kind) {
      case 'num':
      case 'str':
        return t.value;
      case 'special':
        return { ref: t.text };
      case 'ident': {
        if (t.text === 'true') return true;
        if (t.text === 'false') return false;
        if (t.text === 'null') return null;
        if (isPunct('(')) return parseCall(t);
        return { ref: t.text };
      }
      case 'punct':
        if (t.text === '(') {
          const inner = parseOr();
          expect(')');
          return inner;
        }
        if (t.text === '-' && peek().kind === 'num') return -(next().value as number);
        return unexpected(t);
      default:
        return unexpected(t);
    }
  };
  const parseArg = (): unknown => {
    if (isPunct('{')) {
      k++;
      const inner = parseOr();
      expect('}');
      return inner;
    }
    return parseOr();
  };
  const parseCall = (fn: Token): unknown => {
    const op = fn.text;
    const shape = operatorShape(op);
    if (shape === undefined) throw new DslSyntaxError(`Unknown function "${op}"`, fn.pos + 1);
    expect('(');
    const args: unknown[] = [];
    const argTokens: Token[] = [];
    if (!isPunct(')')) {
      for (;;) {
        argTokens.push(peek());
        args.push(nested(fn, parseArg));
        if (!isPunct(',')) break;
        k++;
      }
    }
    expect(')');
    const arity = (min: number, max: number): void => {
      if (args.length < min || args.length > max) {
        const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
        throw new DslSyntaxError(`${op}() takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`, fn.pos + 1);
      }
    };
    const literalName = (i: number, what: string): string => {
      const a = args[i];
      if (typeof a === 'string') return a;
      // `instanceof(x, Foo)`: a bare identifier names the type.
      if (what === 'type' && typeof a === 'object' && a !== null && typeof (a as { ref?: unknown }).ref === 'string') {
        return (a as { ref: string }).ref;
      }
      throw new DslSyntaxError(`${op}() expects a string literal ${what}`, argTokens[i]!.pos + 1);
    };
    switch (shape) {
      case 'name':
        arity(1, 1);
        return { ref: literalName(0, 'name') };
      case 'unary':
        arity(1, 1);
        return { [op]: args[0] };
      case 'member':
        arity(2, 2);
        return { [op]: [args[0], literalName(1, 'name')] };
      case 'typeName':
        arity(2, 2);
        return { [op]: [args[0], literalName(1, 'type')] };
      case 'nary':
        arity(1, Infinity);
        return { [op]: args };
      case 'substring':
        arity(2, 3);
        return { [op]: args };
      default:
        arity(2, 2);
        return { [op]: args };
    }
  };

  const result = parseOr();
  if (peek().kind !== 'end') unexpected(peek());
  return result;
}
