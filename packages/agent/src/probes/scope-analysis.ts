/**
 * Which variables are visible at a position, found by parsing the code V8 runs. This is how a
 * probe knows the names to read at a hit without ever pausing the application. Limits: names
 * come from declarations, so variables introduced by `eval` or `with` are not seen, and an
 * outer function's variable that the inner function does not use may be optimised away by V8
 * (reading it then fails and it is left out of the snapshot).
 */
import { parseSync } from 'oxc-parser';

export interface ScopeAtPosition {
  /** Parameters of the innermost function (plus nothing for top-level code). */
  args: string[];
  /** Other visible names, innermost scope first; shadowed names appear once. */
  locals: string[];
  /** True when the position is not inside any function: module top-level code. */
  topLevel: boolean;
  /** Name of the innermost function, '' when anonymous or top-level. */
  functionName: string;
  /** Source offset of each name's declaration (to recover original names through a source map). */
  declaredAt: Map<string, number>;
}

type Node = { type: string; start: number; end: number; [k: string]: any };

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const key in node) {
    if (key === 'parent') continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const x of v) if (isNode(x)) out.push(x);
    } else if (isNode(v)) out.push(v);
  }
  return out;
}

/** Declaration offsets recorded while analysing one position. */
let declarationOffsets: Map<string, number> | undefined;

function declare(id: Node, out: string[]): void {
  out.push(id['name']);
  if (declarationOffsets && !declarationOffsets.has(id['name'])) declarationOffsets.set(id['name'], id.start);
}

function patternNames(p: Node | null | undefined, out: string[]): void {
  if (!p) return;
  switch (p.type) {
    case 'Identifier':
      declare(p, out);
      break;
    case 'ObjectPattern':
      for (const prop of p['properties']) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const el of p['elements']) patternNames(el, out);
      break;
    case 'RestElement':
      patternNames(p['argument'], out);
      break;
    case 'AssignmentPattern':
      patternNames(p['left'], out);
      break;
    case 'TSParameterProperty':
      patternNames(p['parameter'], out);
      break;
  }
}

/** `var` and function declarations hoisted to a function body, not entering nested functions. */
function hoisted(body: Node, out: string[]): void {
  const visit = (n: Node) => {
    if (n.type === 'VariableDeclaration' && n['kind'] === 'var') {
      for (const d of n['declarations']) patternNames(d.id, out);
    }
    if (n.type === 'FunctionDeclaration' && n !== body && n['id']) declare(n['id'], out);
    for (const c of children(n)) {
      if (FUNCTION_TYPES.has(c.type) || c.type === 'ClassBody') {
        if (c.type === 'FunctionDeclaration' && c['id']) declare(c['id'], out);
        continue;
      }
      visit(c);
    }
  };
  visit(body);
}

/** let/const/class/function declared directly in a block-like statement list. */
function lexical(statements: Node[], out: string[]): void {
  for (const s of statements) {
    const decl = s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration' ? s['declaration'] : s;
    if (!isNode(decl)) continue;
    if (decl.type === 'VariableDeclaration' && decl['kind'] !== 'var') {
      for (const d of decl['declarations']) patternNames(d.id, out);
    } else if ((decl.type === 'ClassDeclaration' || decl.type === 'FunctionDeclaration') && decl['id']) {
      declare(decl['id'], out);
    } else if (decl.type === 'ImportDeclaration') {
      for (const spec of decl['specifiers']) out.push(spec.local.name);
    }
  }
  for (const s of statements) if (s.type === 'ImportDeclaration') for (const spec of s['specifiers']) out.push(spec.local.name);
}

export function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export interface ParsedScript {
  program: Node;
  lineStarts: number[];
}

export function parseScript(source: string, isModule: boolean, filename = 'script.js'): ParsedScript {
  const result = parseSync(filename.endsWith('.ts') ? 'script.js' : filename, source, {
    sourceType: isModule ? 'module' : 'commonjs',
    lang: 'js',
  });
  return { program: result.program as unknown as Node, lineStarts: lineStarts(source) };
}

/** Scope at a 0-based line/column of the parsed script. */
export function scopeAt(parsed: ParsedScript, line: number, column: number): ScopeAtPosition {
  const offset = (parsed.lineStarts[line] ?? 0) + column;
  // The chain of nodes that contain the offset, outermost first.
  const chain: Node[] = [];
  let node: Node | undefined = parsed.program;
  while (node) {
    chain.push(node);
    let next: Node | undefined;
    for (const c of children(node)) {
      if (c.start <= offset && offset < c.end) {
        next = c;
        break;
      }
    }
    node = next;
  }
  declarationOffsets = new Map();
  try {
    return analyse(chain, offset, declarationOffsets);
  } finally {
    declarationOffsets = undefined;
  }
}

function analyse(chain: Node[], offset: number, declaredAt: Map<string, number>): ScopeAtPosition {
  const seen = new Set<string>();
  const args: string[] = [];
  const locals: string[] = [];
  let innermostFn: Node | undefined;
  let functionName = '';
  const add = (names: string[], asArgs: boolean) => {
    for (const n of names) {
      if (seen.has(n) || n === 'arguments') continue;
      seen.add(n);
      (asArgs ? args : locals).push(n);
    }
  };
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i]!;
    const names: string[] = [];
    if (FUNCTION_TYPES.has(n.type)) {
      // The position must be inside the body, not in a parameter default or the name.
      const inBody = isNode(n['body']) && n['body'].start <= offset && offset < n['body'].end;
      const isInnermost = innermostFn === undefined && inBody;
      const params: string[] = [];
      for (const p of n['params'] ?? []) patternNames(p, params);
      if (isInnermost) {
        innermostFn = n;
        functionName = n['id']?.name ?? inferName(chain, i);
        add(params, true);
      } else if (inBody || innermostFn !== undefined) {
        add(params, false);
      }
      if (isNode(n['body']) && n['body'].type === 'BlockStatement') hoisted(n['body'], names);
      if (n.type === 'FunctionExpression' && n['id']) names.push(n['id'].name);
    } else if (n.type === 'BlockStatement' || n.type === 'StaticBlock') {
      lexical(n['body'], names);
    } else if (n.type === 'Program') {
      if (innermostFn !== undefined) continue; // module scope is not captured inside functions
      lexical(n['body'], names);
      hoisted(n, names);
    } else if (n.type === 'ForStatement' || n.type === 'ForInStatement' || n.type === 'ForOfStatement') {
      const init = n.type === 'ForStatement' ? n['init'] : n['left'];
      if (isNode(init) && init.type === 'VariableDeclaration') for (const d of init['declarations']) patternNames(d.id, names);
    } else if (n.type === 'CatchClause') {
      patternNames(n['param'], names);
    } else if (n.type === 'SwitchStatement') {
      for (const c of n['cases']) lexical(c.consequent, names);
    } else if ((n.type === 'ClassDeclaration' || n.type === 'ClassExpression') && n['id']) {
      names.push(n['id'].name);
    }
    add(names, false);
  }
  return { args, locals, topLevel: innermostFn === undefined, functionName, declaredAt };
}

/** Name of an anonymous function from its context: `const f = () => …`, `{ m() {} }`, `a.b = function…`. */
function inferName(chain: Node[], fnIndex: number): string {
  const parent = chain[fnIndex - 1];
  if (!parent) return '';
  if (parent.type === 'VariableDeclarator' && parent['id']?.type === 'Identifier') return parent['id'].name;
  if ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && parent['key']) {
    return parent['key'].name ?? String(parent['key'].value ?? '');
  }
  if (parent.type === 'AssignmentExpression' && parent['left']?.type === 'MemberExpression') {
    return parent['left'].property?.name ?? '';
  }
  return '';
}
