import { mergeRanges, type LineRange, type WireScope, type WireSymbol } from './scope-tree.js';

/** What a search result calls a thing, independent of the tracer's scope vocabulary. */
export type SymbolKind = 'file' | 'class' | 'function' | 'parameter' | 'local' | 'field' | 'scope' | 'symbol';

/** One searchable row derived from a root scope. */
export interface SymbolRow {
  kind: SymbolKind;
  wireType: string;
  name: string;
  valueType: string | null;
  line: number | null;
  startLine: number;
  endLine: number;
  scopeChain: string[];
  injectibleLines: LineRange[];
}

const ROOT_TYPES = new Set(['MODULE', 'FILE', 'JAR', 'PACKAGE', 'ASSEMBLY']);
const FUNCTION_TYPES = new Set(['METHOD', 'FUNCTION', 'CLOSURE']);
const UNKNOWN_MAX_LINE = 2147483647;

function scopeKind(scopeType: string): SymbolKind {
  if (ROOT_TYPES.has(scopeType)) return 'file';
  if (scopeType === 'CLASS') return 'class';
  if (FUNCTION_TYPES.has(scopeType)) return 'function';
  return 'scope';
}

function symbolKind(symbolType: string): SymbolKind {
  switch (symbolType.toUpperCase()) {
    case 'ARG':
      return 'parameter';
    case 'LOCAL':
      return 'local';
    case 'FIELD':
    case 'STATIC_FIELD':
      return 'field';
    default:
      return 'symbol';
  }
}

/** Lines where a probe can see a variable declared at `line`: the scope's lines from there on. */
function linesFrom(ranges: LineRange[], line: number | null): LineRange[] {
  if (line === null || line <= 0 || line >= UNKNOWN_MAX_LINE) return ranges;
  return ranges.filter((r) => r.end >= line).map((r) => ({ start: Math.max(r.start, line), end: r.end }));
}

/**
 * Flattens a root scope into searchable rows: every named scope (file, class, function) and
 * every symbol (parameter, local, field), each with its enclosing scope chain and the lines
 * that can take a probe. A function's lines are its own `injectible_lines`; a file's or class's
 * are the union of everything inside it.
 */
export function indexRows(root: WireScope, sourceFile: string): SymbolRow[] {
  const rows: SymbolRow[] = [];
  walk(root, [], rows, sourceFile);
  return rows;
}

function walk(scope: WireScope, chain: string[], rows: SymbolRow[], sourceFile: string): LineRange[] {
  const kind = scopeKind(scope.scope_type);
  const name = kind === 'file' ? scope.source_file || scope.name || sourceFile : scope.name ?? '';
  const childChain = kind === 'scope' || name === '' ? chain : [...chain, name];
  const own = mergeRanges(scope.injectible_lines ?? []);
  const childRowsStart = rows.length;
  const childLines: LineRange[] = [];
  for (const child of scope.scopes ?? []) childLines.push(...walk(child, childChain, rows, sourceFile));
  const subtree = mergeRanges([...own, ...childLines]);
  const lines = kind === 'function' && own.length > 0 ? own : subtree;
  const symbolRows: SymbolRow[] = [];
  for (const sym of scope.symbols ?? []) {
    if (!isSymbol(sym)) continue;
    const line = typeof sym.line === 'number' ? sym.line : null;
    symbolRows.push({
      kind: symbolKind(sym.symbol_type),
      wireType: sym.symbol_type,
      name: sym.name,
      valueType: typeof sym.type === 'string' ? sym.type : null,
      line,
      startLine: scope.start_line,
      endLine: scope.end_line,
      scopeChain: childChain,
      injectibleLines: linesFrom(lines, line),
    });
  }
  const ownRow: SymbolRow[] =
    kind === 'scope' || name === ''
      ? []
      : [{
          kind,
          wireType: scope.scope_type,
          name,
          valueType: null,
          line: null,
          startLine: scope.start_line,
          endLine: scope.end_line,
          scopeChain: chain,
          injectibleLines: lines,
        }];
  // Parents before children keeps browse order natural.
  rows.splice(childRowsStart, 0, ...ownRow, ...symbolRows);
  return subtree;
}

function isSymbol(v: WireSymbol): boolean {
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && v.name !== '' && typeof v.symbol_type === 'string';
}
