/**
 * Which variables are visible at a position, found by parsing the code V8 runs. This is how a
 * probe knows the names to read at a hit without ever pausing the application. The list is meant
 * to be what V8 itself can read there, so that one generated expression reads them all at once:
 * - let/const/class bindings of the innermost function that are still in their temporal dead
 *   zone at the position are left out;
 * - an enclosing function's variable is listed only when some function nested in it refers to
 *   it (V8 keeps the others on the enclosing function's stack, out of reach; dd-trace-js's scope
 *   view omits them too), or when that function calls `eval` or uses `with`.
 * Inside a `with` body nothing is listed: every identifier there is looked up on the object
 * first. Limits: names come from declarations, so variables introduced by `eval` or `with` are
 * not seen; a read that still fails is handled at run time (see frame-reader.ts).
 */
import { parseSync } from 'oxc-parser';

export interface ScopeAtPosition {
  /** Parameters of the innermost function (plus nothing for top-level code). */
  args: string[];
  /** Other visible names, innermost scope first; shadowed names appear once. */
  locals: string[];
  /** Names declared in scope that cannot be read here: in their dead zone, or kept out of reach by V8. */
  unavailable: string[];
  /** Module-level names (not captured inside a function); any other undeclared name is a global. */
  moduleNames: string[];
  /** Inside a `with` body: no name can be read without possibly running the object's code. */
  insideWith: boolean;
  /** True when the position is not inside any function: module top-level code. */
  topLevel: boolean;
  /**
   * True for code that runs only while its module is evaluated: module top-level code, and code
   * of function wrappers that run once at load (IIFEs such as the ES5 class wrapper
   * `var A = (function () { … }())`, bundler module wrappers). The bodies of functions defined
   * inside such a wrapper (`A.prototype.m = function () { … }`) are not load-time code.
   */
  loadTime: boolean;
  /** Name of the innermost function, '' when anonymous or top-level. */
  functionName: string;
  /** Source offset of each name's declaration (to recover original names through a source map). */
  declaredAt: Map<string, number>;
}

type Node = { type: string; start: number; end: number; [k: string]: any };

/** The parameters of the function Node wraps a CommonJS module in. */
const COMMONJS_WRAPPER_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

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

/**
 * let/const/class/function declared directly in a block-like statement list. `initialisedAt`
 * receives, for let/const/class names, the offset where their binding leaves its dead zone.
 */
function lexical(statements: Node[], out: string[], initialisedAt?: Map<string, number>): void {
  for (const s of statements) {
    const decl = s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration' ? s['declaration'] : s;
    if (!isNode(decl)) continue;
    if (decl.type === 'VariableDeclaration' && decl['kind'] !== 'var') {
      for (const d of decl['declarations']) {
        const names: string[] = [];
        patternNames(d.id, names);
        for (const n of names) initialisedAt?.set(n, d.end);
        out.push(...names);
      }
    } else if (decl.type === 'ClassDeclaration' && decl['id']) {
      declare(decl['id'], out);
      initialisedAt?.set(decl['id'].name, decl.end);
    } else if (decl.type === 'FunctionDeclaration' && decl['id']) {
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
  const unavailable: string[] = [];
  const moduleNames: string[] = [];
  let innermostFn: Node | undefined;
  let functionName = '';
  // Dead-zone ends of the let/const/class bindings seen so far in the innermost function.
  const initialisedAt = new Map<string, number>();
  const add = (names: string[], asArgs: boolean, visible?: ReadonlySet<string>) => {
    for (const n of names) {
      if (seen.has(n) || n === 'arguments') continue;
      seen.add(n); // a dead or unreachable binding still shadows outer ones
      if ((visible && !visible.has(n)) || (innermostFn === undefined && (initialisedAt.get(n) ?? 0) > offset)) {
        unavailable.push(n);
        continue;
      }
      (asArgs ? args : locals).push(n);
    }
  };
  // Inside `with (obj) { … }` every identifier is looked up on `obj` first, which can run its
  // getters or Proxy traps: nothing is read there.
  const withBody = chain.some((n) => n.type === 'WithStatement' && isNode(n['body']) && n['body'].start <= offset && offset < n['body'].end);
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i]!;
    const names: string[] = [];
    // Inside the innermost function, names of enclosing functions are readable only when V8
    // keeps them in a context: referenced from a nested function, or everything under eval/with.
    const enclosing = innermostFn !== undefined;
    if (FUNCTION_TYPES.has(n.type)) {
      // The position must be inside the body, not in a parameter default or the name.
      const inBody = isNode(n['body']) && n['body'].start <= offset && offset < n['body'].end;
      const isInnermost = innermostFn === undefined && inBody;
      const params: string[] = [];
      for (const p of n['params'] ?? []) patternNames(p, params);
      const visible = isInnermost || innermostFn === undefined ? undefined : closureVisible(n);
      if (isInnermost) {
        innermostFn = n;
        functionName = n['id']?.name ?? inferName(chain, i);
        add(params, true);
      } else if (inBody || innermostFn !== undefined) {
        add(params, false, visible);
      }
      if (isNode(n['body']) && n['body'].type === 'BlockStatement') hoisted(n['body'], names);
      add(names, false, visible);
      // A function expression's own name is kept only where the function refers to it.
      if (n.type === 'FunctionExpression' && n['id'] && referencedNames(n, false)?.has(n['id'].name) !== false) {
        add([n['id'].name], false, visible);
      }
      continue;
    }
    const visible = enclosing ? closureVisible(enclosingFunction(chain, i)) : undefined;
    if (n.type === 'BlockStatement' || n.type === 'StaticBlock') {
      lexical(n['body'], names, initialisedAt);
    } else if (n.type === 'Program') {
      if (innermostFn !== undefined) {
        // Module scope is not captured inside functions, but expressions may read it.
        lexical(n['body'], moduleNames);
        hoisted(n, moduleNames);
        if (n['sourceType'] !== 'module') moduleNames.push(...COMMONJS_WRAPPER_PARAMS);
        continue;
      }
      lexical(n['body'], names, initialisedAt);
      hoisted(n, names);
    } else if (n.type === 'ForStatement' || n.type === 'ForInStatement' || n.type === 'ForOfStatement') {
      const init = n.type === 'ForStatement' ? n['init'] : n['left'];
      if (isNode(init) && init.type === 'VariableDeclaration') for (const d of init['declarations']) patternNames(d.id, names);
    } else if (n.type === 'CatchClause') {
      patternNames(n['param'], names);
    } else if (n.type === 'SwitchStatement') {
      for (const c of n['cases']) lexical(c.consequent, names, initialisedAt);
    } else if ((n.type === 'ClassDeclaration' || n.type === 'ClassExpression') && n['id']) {
      // The class's inner name binding exists only where the class body refers to it.
      if (referencedNames(n, false)?.has(n['id'].name) !== false) names.push(n['id'].name);
    }
    add(names, false, visible);
  }
  const topLevel = innermostFn === undefined;
  const loadTime = topLevel || isLoadTime(chain);
  if (withBody) return { args: [], locals: [], unavailable: [...args, ...locals, ...unavailable, ...moduleNames], moduleNames: [], insideWith: true, topLevel, loadTime, functionName, declaredAt };
  return { args, locals, unavailable, moduleNames: moduleNames.filter((n) => !seen.has(n)), insideWith: false, topLevel, loadTime, functionName, declaredAt };
}

/** Callees of esbuild's module wrappers: `__commonJS({ "a.js"(exports, module) { … } })`, `__esm({ … })`. */
const ESBUILD_WRAPPERS = new Set(['__commonJS', '__esm']);
/** Parameter names only webpack gives its module functions. */
const WEBPACK_PARAM = /^(__webpack_(require|exports|module)__|__unused_webpack_(module|exports))$/;

/** The nearest ancestor of chain[i] that is not a parenthesis, and its index. */
function parentOf(chain: Node[], i: number): [Node | undefined, number] {
  let j = i - 1;
  while (j >= 0 && chain[j]!.type === 'ParenthesizedExpression') j--;
  return [chain[j], j];
}

function unparen(n: Node | undefined): Node | undefined {
  while (n && n.type === 'ParenthesizedExpression') n = n['expression'];
  return n;
}

/**
 * Whether every function around the innermost position of `chain` runs once, at module load:
 * each is invoked where it is defined (`(function () {…})()`, `!function () {…}()`,
 * `(() => {…}).call(this)`, `new function () {…}`) or is a bundler's module wrapper, and none
 * of that sits in a class's instance field initialiser (run per instance). A function nested in
 * load-time code that is not itself invoked there (a method, a callback) can run again.
 */
function isLoadTime(chain: Node[]): boolean {
  for (let i = 1; i < chain.length; i++) {
    const n = chain[i]!;
    if ((n.type === 'PropertyDefinition' || n.type === 'AccessorProperty') && !n['static']) return false;
    if (!FUNCTION_TYPES.has(n.type)) continue;
    if (!runsOnceAtLoad(chain, i)) return false;
  }
  return true;
}

function runsOnceAtLoad(chain: Node[], i: number): boolean {
  const fn = chain[i]!;
  const [parent, j] = parentOf(chain, i);
  if (!parent) return false;
  // Invoked where it is defined.
  if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && unparen(parent['callee']) === fn) return true;
  if (parent.type === 'MemberExpression' && unparen(parent['object']) === fn && !parent['computed'] && /^(call|apply)$/.test(parent['property']?.name ?? '')) {
    const [call] = parentOf(chain, j);
    return call?.type === 'CallExpression' && unparen(call['callee']) === parent;
  }
  // Bundler module wrappers: each runs once, when its module is first required.
  const params: string[] = [];
  for (const p of fn['params'] ?? []) patternNames(p, params);
  if ((parent.type === 'Property' || parent.type === 'ArrayExpression') && params.some((p) => WEBPACK_PARAM.test(p))) return true;
  if (parent.type === 'Property' && unparen(parent['value']) === fn) {
    const [object, k] = parentOf(chain, j);
    const [holder] = parentOf(chain, k);
    if (object?.type !== 'ObjectExpression' || !holder) return false;
    if (holder.type === 'CallExpression' && holder['callee']?.type === 'Identifier' && ESBUILD_WRAPPERS.has(holder['callee'].name)) return true;
    if (holder.type === 'VariableDeclarator' && holder['id']?.name === '__webpack_modules__') return true;
  }
  return false;
}

/** The function whose body holds chain[i], or undefined at top level. */
function enclosingFunction(chain: Node[], i: number): Node | undefined {
  for (let j = i - 1; j >= 0; j--) if (FUNCTION_TYPES.has(chain[j]!.type)) return chain[j];
  return undefined;
}

/** Per function: the names its nested functions (or itself) refer to; `null` means all (eval or with). */
const closureNames = new WeakMap<Node, ReadonlySet<string> | null>();
const ownNames = new WeakMap<Node, ReadonlySet<string> | null>();

/** Names of `fn`'s own scopes that V8 keeps readable from a nested function. */
function closureVisible(fn: Node | undefined): ReadonlySet<string> | undefined {
  return fn === undefined ? undefined : (referencedNames(fn, true) ?? undefined);
}

/** Identifiers referenced inside `fn` (only inside its nested functions with `nestedOnly`); null under eval/with. */
function referencedNames(fn: Node, nestedOnly: boolean): ReadonlySet<string> | null {
  const cache = nestedOnly ? closureNames : ownNames;
  let names = cache.get(fn);
  if (names === undefined) {
    names = collectReferences(fn, nestedOnly);
    cache.set(fn, names);
  }
  return names;
}

function collectReferences(fn: Node, nestedOnly: boolean): ReadonlySet<string> | null {
  const names = new Set<string>();
  let everything = false;
  const visit = (node: Node, nested: boolean) => {
    if (everything) return;
    if (node.type === 'WithStatement') everything = true;
    if (node.type === 'CallExpression' && node['callee']?.type === 'Identifier' && node['callee'].name === 'eval') everything = true;
    if (nested && node.type === 'Identifier') names.add(node['name']);
    for (const key in node) {
      if (key === 'parent' || (key === 'id' && node === fn)) continue;
      // Property names are not variable references.
      if (key === 'property' && node.type === 'MemberExpression' && !node['computed']) continue;
      if (key === 'key' && !node['computed'] && !node['shorthand']) continue;
      const v = node[key];
      if (Array.isArray(v)) {
        for (const x of v) if (isNode(x)) visit(x, nested || FUNCTION_TYPES.has(x.type));
      } else if (isNode(v)) visit(v, nested || FUNCTION_TYPES.has(v.type));
    }
  };
  visit(fn, !nestedOnly);
  return everything ? null : names;
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
