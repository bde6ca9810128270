/**
 * Walks an oxc-parser ESTree program and builds the scope tree: classes, functions (declared,
 * bound to a name, object-literal methods, callbacks), closures, block scopes with `let`/`const`,
 * and the symbols declared in each. It also records where statements start inside functions,
 * the approximation of "lines that can take a probe" (V8 breaks at statement positions; calls
 * inside multi-line expressions and the closing brace are not counted).
 *
 * The AST is read generically (oxc's `visitorKeys`), so node types we do not know are still
 * descended into.
 */
import { visitorKeys } from 'oxc-parser';
import { newScope, type ScopeNode, type SymbolNode } from './scope-tree.js';

/** oxc's ESTree JSON, read generically. */
interface AstNode {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: any;
}

interface Context {
  /** Where child scopes and block-level declarations go. */
  scope: ScopeNode;
  /** The enclosing function (target of `var`), undefined at module level. */
  fn: ScopeNode | undefined;
  /** The enclosing MODULE (root or namespace): target of module-level declarations. */
  module: ScopeNode;
  /** Set inside a constructor (and its arrows): the class that `this.x = …` adds fields to. */
  ctorClass: ScopeNode | undefined;
}

const MAX_DEPTH = 1500;
const MAX_TYPE_TEXT = 200;
const MAX_NAME_TEXT = 100;

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const CLASS_TYPES = new Set(['ClassDeclaration', 'ClassExpression']);
/** TypeScript wrappers that do not change what a name is bound to. */
const TRANSPARENT = new Set(['TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion', 'ParenthesizedExpression']);
/** Type-only subtrees and declarations: no runtime code, nothing to extract. */
const SKIPPED_TYPES = new Set([
  'TSInterfaceDeclaration',
  'TSTypeAliasDeclaration',
  'TSDeclareFunction',
  'TSTypeAnnotation',
  'TSTypeParameterDeclaration',
  'TSTypeParameterInstantiation',
  'TSIndexSignature',
  'TSAbstractMethodDefinition',
  'TSAbstractPropertyDefinition',
  'TSAbstractAccessorProperty',
  'TSEmptyBodyFunctionExpression',
  'ImportDeclaration',
  'TSImportEqualsDeclaration',
  'TSExportAssignment',
  'TSNamespaceExportDeclaration',
]);
const SKIPPED_KEYS = new Set(['typeAnnotation', 'returnType', 'typeParameters', 'typeArguments', 'superTypeArguments', 'implements', 'decorators']);
/** Statements V8 can break at (their start position). */
const BREAKABLE_STATEMENTS = new Set([
  'ExpressionStatement',
  'ReturnStatement',
  'ThrowStatement',
  'IfStatement',
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'SwitchStatement',
  'BreakStatement',
  'ContinueStatement',
  'DebuggerStatement',
  'ClassDeclaration',
]);

export class AstWalker {
  readonly #source: string;
  #depth = 0;
  /** Every statement start inside any function: what a generated file can break at. */
  readonly breakables: number[] = [];
  /** Subtrees not descended into because they nest deeper than MAX_DEPTH. */
  truncated = 0;

  constructor(source: string) {
    this.#source = source;
  }

  /** Builds the root MODULE scope for `program`. */
  walkProgram(program: AstNode, name: string): ScopeNode {
    const root = newScope('MODULE', name, 0, this.#source.length);
    const ctx: Context = { scope: root, fn: undefined, module: root, ctorClass: undefined };
    for (const stmt of program['body'] as AstNode[]) this.#visit(stmt, ctx);
    return root;
  }

  #visit(node: AstNode, ctx: Context, hint?: string): void {
    if (this.#depth > MAX_DEPTH) {
      this.truncated++;
      return;
    }
    this.#depth++;
    try {
      this.#dispatch(node, ctx, hint);
    } finally {
      this.#depth--;
    }
  }

  #dispatch(node: AstNode, ctx: Context, hint: string | undefined): void {
    const type = node.type;
    if (SKIPPED_TYPES.has(type)) return;
    if (ctx.fn && (BREAKABLE_STATEMENTS.has(type) || (type === 'VariableDeclaration' && hasInitializer(node)))) this.#breakAt(ctx.fn, node.start);
    if (FUNCTION_TYPES.has(type)) return this.#visitFunction(node, ctx, node['id']?.name ?? hint);
    if (CLASS_TYPES.has(type)) return this.#visitClass(node, ctx, node['id']?.name ?? hint);
    if (TRANSPARENT.has(type)) return this.#visit(node['expression'], ctx, hint);
    switch (type) {
      case 'VariableDeclaration':
        return this.#visitVariables(node, ctx);
      case 'BlockStatement':
        return this.#visitBlock(node, ctx, 'block', (inner) => this.#visitAll(node['body'], inner));
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
        return this.#visitBlock(node, ctx, 'for', (inner) => this.#visitChildren(node, inner));
      case 'SwitchStatement':
        this.#visit(node['discriminant'], ctx);
        return this.#visitBlock(node, ctx, 'switch', (inner) => this.#visitAll(node['cases'], inner));
      case 'CatchClause':
        return this.#visitBlock(node, ctx, 'catch', (inner) => {
          if (node['param']) this.#declare(node['param'], inner, 'let');
          this.#visitAll(node['body'].body, inner);
        });
      case 'AssignmentExpression':
        this.#visitAssignment(node, ctx);
        return;
      case 'Property':
        if (node['value'] && FUNCTION_TYPES.has(unwrap(node['value']).type)) {
          const fn = unwrap(node['value']);
          const kind = node['kind'] === 'get' || node['kind'] === 'set' ? { kind: node['kind'] } : undefined;
          if (node['computed']) this.#visit(node['key'], ctx);
          return this.#visitFunction(fn, ctx, fn['id']?.name ?? this.#keyName(node), { lang: kind });
        }
        if (node['computed']) this.#visit(node['key'], ctx);
        if (node['value']) this.#visit(node['value'], ctx, node['shorthand'] ? undefined : this.#keyName(node));
        return;
      case 'CallExpression':
      case 'NewExpression':
        return this.#visitCall(node, ctx);
      case 'ExportDefaultDeclaration':
        return this.#visit(node['declaration'], ctx, 'default');
      case 'TSEnumDeclaration':
        this.#addSymbol(ctx, { type: ctx.fn ? 'LOCAL' : 'STATIC_FIELD', name: node['id'].name, offset: node['id'].start, typeText: 'enum' });
        return;
      case 'TSModuleDeclaration':
        return this.#visitNamespace(node, ctx);
      default:
        return this.#visitChildren(node, ctx);
    }
  }

  #visitAll(nodes: (AstNode | null)[], ctx: Context): void {
    for (const n of nodes) if (n) this.#visit(n, ctx);
  }

  #visitChildren(node: AstNode, ctx: Context): void {
    const keys = (visitorKeys as Record<string, readonly string[]>)[node.type];
    if (!keys) return;
    for (const key of keys) {
      if (SKIPPED_KEYS.has(key)) continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const v of value) if (v && typeof v.type === 'string') this.#visit(v, ctx);
      } else if (value && typeof value.type === 'string') {
        this.#visit(value, ctx);
      }
    }
  }

  #breakAt(fn: ScopeNode, offset: number): void {
    fn.breakOffsets.push(offset);
    this.breakables.push(offset);
  }

  #visitFunction(node: AstNode, ctx: Context, name: string | undefined, opts: FunctionOptions = {}): void {
    const body = node['body'] as AstNode | null;
    if (!body) return; // `declare function`, overload signatures
    const type = opts.scopeType ?? (ctx.scope.type === 'CLASS' ? 'METHOD' : ctx.fn || name === undefined ? 'CLOSURE' : 'FUNCTION');
    const range = opts.range ?? node;
    const scope = newScope(type, name ?? '<anonymous>', range.start, range.end, true);
    const lang: Record<string, unknown> = { ...opts.lang };
    if (node['async'] || node['generator']) lang['function_type'] = node['async'] ? (node['generator'] ? 'async_generator' : 'async') : 'generator';
    const returnType = this.#typeText(node['returnType']);
    if (returnType !== null) lang['return_type'] = returnType;
    if (Object.keys(lang).length > 0) scope.lang = lang;
    ctx.scope.children.push(scope);

    // Arrows keep the constructor's `this`; other functions do not.
    const ctorClass = opts.constructorOf ?? (node.type === 'ArrowFunctionExpression' ? ctx.ctorClass : undefined);
    const inner: Context = { scope, fn: scope, module: ctx.module, ctorClass };
    for (const param of node['params'] as AstNode[]) {
      let p = param;
      if (p.type === 'TSParameterProperty') {
        p = p['parameter'];
        if (opts.constructorOf) {
          for (const b of bindings(p)) addUnique(opts.constructorOf, { type: 'FIELD', name: b.name, offset: undefined, typeText: this.#typeText(b.typeAnnotation) });
        }
      }
      for (const b of bindings(p)) scope.symbols.push({ type: 'ARG', name: b.name, offset: undefined, typeText: this.#typeText(b.typeAnnotation) });
      this.#visitPatternDefaults(p, inner);
    }
    if (body.type === 'BlockStatement') {
      this.#visitAll(body['body'], inner);
    } else {
      this.#breakAt(scope, body.start);
      this.#visit(body, inner);
    }
  }

  #visitClass(node: AstNode, ctx: Context, name: string | undefined): void {
    const scope = newScope('CLASS', name ?? '<anonymous>', node.start, node.end);
    const superClass = node['superClass'] as AstNode | null;
    if (superClass) {
      scope.lang = { super_classes: [this.#text(superClass, MAX_NAME_TEXT)] };
      this.#visit(superClass, ctx);
    }
    ctx.scope.children.push(scope);
    const inner: Context = { scope, fn: undefined, module: ctx.module, ctorClass: undefined };
    for (const member of node['body'].body as AstNode[]) {
      const isStatic = member['static'] === true;
      if (member['computed']) this.#visit(member['key'], ctx);
      switch (member.type) {
        case 'MethodDefinition': {
          const value = member['value'] as AstNode;
          if (value.type !== 'FunctionExpression') break;
          const kind = member['kind'] as string;
          const lang: Record<string, unknown> = { method_type: isStatic ? 'static' : 'instance' };
          if (kind !== 'method') lang['kind'] = kind;
          this.#visitFunction(value, inner, this.#keyName(member), {
            scopeType: 'METHOD',
            range: member,
            lang,
            ...(kind === 'constructor' ? { constructorOf: scope } : {}),
          });
          break;
        }
        case 'PropertyDefinition':
        case 'AccessorProperty': {
          const key = this.#keyName(member);
          addUnique(scope, { type: isStatic ? 'STATIC_FIELD' : 'FIELD', name: key, offset: isStatic ? member.start : undefined, typeText: this.#typeText(member['typeAnnotation']) });
          const value = member['value'] as AstNode | null;
          if (!value) break;
          const fn = unwrap(value);
          if (FUNCTION_TYPES.has(fn.type)) {
            this.#visitFunction(fn, inner, key, { scopeType: 'METHOD', range: member, lang: { method_type: isStatic ? 'static' : 'instance', kind: 'field' } });
          } else {
            this.#visit(value, inner);
          }
          break;
        }
        case 'StaticBlock': {
          const block = newScope('METHOD', '<static_initializer>', member.start, member.end, true);
          block.lang = { method_type: 'static', kind: 'static_block' };
          scope.children.push(block);
          this.#visitAll(member['body'], { scope: block, fn: block, module: ctx.module, ctorClass: undefined });
          break;
        }
        default:
          break;
      }
    }
  }

  #visitVariables(node: AstNode, ctx: Context): void {
    const kind = node['kind'] as string;
    for (const decl of node['declarations'] as AstNode[]) {
      const id = decl['id'] as AstNode;
      const init = decl['init'] as AstNode | null;
      const value = init ? unwrap(init) : undefined;
      const boundToName = id.type === 'Identifier' && value !== undefined && (FUNCTION_TYPES.has(value.type) || CLASS_TYPES.has(value.type));
      // A function or class bound to a name is a scope, not a symbol.
      if (!boundToName) this.#declare(id, ctx, kind);
      else this.#visitPatternDefaults(id, ctx);
      if (init) this.#visit(init, ctx, id.type === 'Identifier' ? id['name'] : undefined);
    }
  }

  /** Adds the names bound by a declaration pattern to the scope `var`/`let` targets. */
  #declare(pattern: AstNode, ctx: Context, kind: string): void {
    for (const b of bindings(pattern)) {
      this.#addSymbol(ctx, { type: 'LOCAL', name: b.name, offset: b.start, typeText: this.#typeText(b.typeAnnotation) }, kind === 'var');
    }
    this.#visitPatternDefaults(pattern, ctx);
  }

  /** Module-level names are STATIC_FIELDs of the MODULE; others are LOCALs of their block or function. */
  #addSymbol(ctx: Context, symbol: SymbolNode, hoisted = false): void {
    if (!ctx.fn) {
      if (ctx.scope === ctx.module || hoisted) {
        ctx.module.symbols.push({ ...symbol, type: 'STATIC_FIELD' });
        return;
      }
    }
    const target = hoisted ? (ctx.fn ?? ctx.module) : ctx.scope;
    target.symbols.push(symbol);
  }

  /** Default values in patterns are code: they may hold closures. */
  #visitPatternDefaults(pattern: AstNode, ctx: Context): void {
    switch (pattern.type) {
      case 'AssignmentPattern':
        this.#visitPatternDefaults(pattern['left'], ctx);
        this.#visit(pattern['right'], ctx, pattern['left'].type === 'Identifier' ? pattern['left'].name : undefined);
        return;
      case 'ObjectPattern':
        for (const p of pattern['properties'] as AstNode[]) {
          if (p.type === 'RestElement') this.#visitPatternDefaults(p['argument'], ctx);
          else {
            if (p['computed']) this.#visit(p['key'], ctx);
            this.#visitPatternDefaults(p['value'], ctx);
          }
        }
        return;
      case 'ArrayPattern':
        for (const e of pattern['elements'] as (AstNode | null)[]) if (e) this.#visitPatternDefaults(e, ctx);
        return;
      case 'RestElement':
        return this.#visitPatternDefaults(pattern['argument'], ctx);
      default:
        return;
    }
  }

  #visitBlock(node: AstNode, ctx: Context, name: string, body: (inner: Context) => void): void {
    const local = newScope('LOCAL', name, node.start, node.end);
    body({ ...ctx, scope: local });
    // A block that declares nothing is not worth a scope: its closures belong to the parent.
    if (local.symbols.length > 0) ctx.scope.children.push(local);
    else ctx.scope.children.push(...local.children);
  }

  #visitAssignment(node: AstNode, ctx: Context): void {
    const left = node['left'] as AstNode;
    if (ctx.ctorClass && left.type === 'MemberExpression' && !left['computed'] && left['object'].type === 'ThisExpression') {
      addUnique(ctx.ctorClass, { type: 'FIELD', name: memberName(left['property']), offset: undefined, typeText: null });
    }
    if (left.type !== 'Identifier' && left.type !== 'MemberExpression') this.#visitPatternDefaults(left, ctx);
    else if (left.type === 'MemberExpression') this.#visitChildren(left, ctx);
    this.#visit(node['right'], ctx, this.#assignmentName(left));
  }

  #visitCall(node: AstNode, ctx: Context): void {
    this.#visit(node['callee'], ctx);
    const args = node['arguments'] as AstNode[];
    let label: string | undefined;
    for (const arg of args) {
      const value = unwrap(arg);
      if (FUNCTION_TYPES.has(value.type) && !value['id']) {
        // An anonymous callback is a closure wherever it is; the label only helps finding it.
        label ??= this.#callbackName(node['callee'], args[0]);
        this.#visitFunction(value, ctx, label, { scopeType: 'CLOSURE' });
      } else {
        this.#visit(arg, ctx);
      }
    }
  }

  #visitNamespace(node: AstNode, ctx: Context): void {
    const body = node['body'] as AstNode | null;
    if (!body) return;
    const scope = newScope('MODULE', this.#text(node['id'], MAX_NAME_TEXT), node.start, node.end);
    ctx.scope.children.push(scope);
    const inner: Context = { scope, fn: ctx.fn, module: scope, ctorClass: undefined };
    if (body.type === 'TSModuleDeclaration') this.#visitNamespace(body, inner);
    else this.#visitAll(body['body'], inner);
  }

  /** `exports.x`/`module.exports.x`/`this.x` → `x`; other targets keep their source text. */
  #assignmentName(left: AstNode): string | undefined {
    if (left.type === 'Identifier') return left['name'];
    if (left.type !== 'MemberExpression') return undefined;
    const object = this.#text(left['object'], MAX_NAME_TEXT);
    if (!left['computed'] && (object === 'exports' || object === 'module.exports' || object === 'this')) return memberName(left['property']);
    return this.#text(left, MAX_NAME_TEXT);
  }

  /** `app.get('/users', (req, res) => …)` → `app.get('/users') callback`. */
  #callbackName(callee: AstNode, firstArg: AstNode | undefined): string {
    const route = firstArg && firstArg.type === 'Literal' && typeof firstArg['value'] === 'string' ? `(${this.#text(firstArg, 60)})` : '';
    return `${this.#text(callee, 60)}${route} callback`;
  }

  #keyName(member: AstNode): string {
    const key = member['key'] as AstNode;
    if (member['computed']) return `[${this.#text(key, MAX_NAME_TEXT)}]`;
    if (key.type === 'Literal') return String(key['value']);
    return memberName(key);
  }

  /** The text of a TS type annotation (`TSTypeAnnotation` or a type node), or null. */
  #typeText(annotation: AstNode | null | undefined): string | null {
    if (!annotation) return null;
    const typeNode = annotation.type === 'TSTypeAnnotation' ? annotation['typeAnnotation'] : annotation;
    return typeNode ? this.#text(typeNode, MAX_TYPE_TEXT) : null;
  }

  #text(node: AstNode, max: number): string {
    const raw = this.#source.slice(node.start, Math.min(node.end, node.start + max * 4));
    const text = raw.replace(/\s+/g, ' ').trim();
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }
}

interface FunctionOptions {
  scopeType?: 'METHOD' | 'CLOSURE';
  range?: { start: number; end: number };
  lang?: Record<string, unknown> | undefined;
  constructorOf?: ScopeNode;
}

interface Binding {
  name: string;
  start: number;
  typeAnnotation: AstNode | null;
}

/** The identifiers a parameter or declaration pattern binds, with their own annotations. */
function bindings(pattern: AstNode, out: Binding[] = []): Binding[] {
  switch (pattern.type) {
    case 'Identifier':
      out.push({ name: pattern['name'], start: pattern.start, typeAnnotation: pattern['typeAnnotation'] ?? null });
      break;
    case 'AssignmentPattern':
      bindings(pattern['left'], out);
      break;
    case 'RestElement': {
      const arg = pattern['argument'] as AstNode;
      if (arg.type === 'Identifier') out.push({ name: arg['name'], start: arg.start, typeAnnotation: pattern['typeAnnotation'] ?? arg['typeAnnotation'] ?? null });
      else bindings(arg, out);
      break;
    }
    case 'ObjectPattern':
      for (const p of pattern['properties'] as AstNode[]) bindings(p.type === 'RestElement' ? p : p['value'], out);
      break;
    case 'ArrayPattern':
      for (const e of pattern['elements'] as (AstNode | null)[]) if (e) bindings(e, out);
      break;
    case 'TSParameterProperty':
      bindings(pattern['parameter'], out);
      break;
    default:
      break;
  }
  return out;
}

function unwrap(node: AstNode): AstNode {
  let n = node;
  while (TRANSPARENT.has(n.type)) n = n['expression'];
  return n;
}

function hasInitializer(node: AstNode): boolean {
  return (node['declarations'] as AstNode[]).some((d) => d['init'] !== null);
}

function memberName(key: AstNode): string {
  if (key.type === 'PrivateIdentifier') return `#${key['name']}`;
  if (key.type === 'Identifier') return key['name'];
  return String(key['value'] ?? '?');
}

function addUnique(scope: ScopeNode, symbol: SymbolNode): void {
  if (!scope.symbols.some((s) => s.name === symbol.name && (s.type === 'FIELD' || s.type === 'STATIC_FIELD'))) scope.symbols.push(symbol);
}
