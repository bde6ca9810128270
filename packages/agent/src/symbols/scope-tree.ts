/**
 * The extractor's own scope tree, in source offsets, and its conversion to the wire shape.
 * Offsets stay offsets until the end so that injectible lines can come either from the file's
 * own statements or from a generated file's statements mapped back (TypeScript).
 */
import type { LineTable } from './line-table.js';
import { UNKNOWN_MAX_LINE, UNKNOWN_MIN_LINE, type LineRange, type ScopeType, type SymbolType, type SymdbScope, type SymdbSymbol } from './wire.js';

export interface SymbolNode {
  type: SymbolType;
  name: string;
  /** Declaration offset; undefined = line 0, "available on every line of the scope" (ARG, FIELD). */
  offset: number | undefined;
  typeText: string | null;
}

export interface ScopeNode {
  type: ScopeType;
  name: string;
  /** UTF-16 offsets, end exclusive. */
  start: number;
  end: number;
  symbols: SymbolNode[];
  children: ScopeNode[];
  lang: Record<string, unknown> | undefined;
  /** Functions own their injectible lines; blocks, classes and modules only contain them. */
  isFunction: boolean;
  /** Offsets of the statements that start inside this function's own body (not nested functions). */
  breakOffsets: number[];
}

export function newScope(type: ScopeType, name: string, start: number, end: number, isFunction = false): ScopeNode {
  return { type, name, start, end, symbols: [], children: [], lang: undefined, isFunction, breakOffsets: [] };
}

/** Injectible lines per function scope, from the statements found in the file itself. */
export function injectibleFromOwnStatements(root: ScopeNode, lines: LineTable): Map<ScopeNode, Set<number>> {
  const out = new Map<ScopeNode, Set<number>>();
  const walk = (node: ScopeNode): void => {
    if (node.isFunction && node.breakOffsets.length > 0) out.set(node, new Set(node.breakOffsets.map((o) => lines.lineOf(o))));
    for (const child of node.children) walk(child);
  };
  walk(root);
  return out;
}

/**
 * Injectible lines per function scope from positions in this file (1-based line, 0-based
 * column) that a generated file can break at: each goes to the innermost function containing it.
 */
export function injectibleFromPositions(root: ScopeNode, lines: LineTable, positions: Iterable<readonly [number, number]>): Map<ScopeNode, Set<number>> {
  const out = new Map<ScopeNode, Set<number>>();
  for (const [line, column] of positions) {
    const offset = lines.offsetOf(line, column);
    if (offset < 0) continue;
    let fn: ScopeNode | undefined;
    let node: ScopeNode | undefined = root;
    while (node) {
      if (node.isFunction) fn = node;
      let next: ScopeNode | undefined;
      for (const child of node.children) {
        if (child.start <= offset && offset < child.end) {
          next = child;
          break;
        }
      }
      node = next;
    }
    if (!fn) continue;
    let set = out.get(fn);
    if (!set) out.set(fn, (set = new Set()));
    set.add(line);
  }
  return out;
}

/** Sorted lines as inclusive ranges of consecutive lines. */
export function toLineRanges(lines: Iterable<number>): LineRange[] {
  const sorted = [...lines].sort((a, b) => a - b);
  const ranges: LineRange[] = [];
  for (const line of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && line <= last.end + 1) last.end = Math.max(last.end, line);
    else ranges.push({ start: line, end: line });
  }
  return ranges;
}

/** The wire scope for a root (MODULE spanning the whole file) and everything below it. */
export function toWireScope(node: ScopeNode, lines: LineTable, sourceFile: string, injectible: Map<ScopeNode, Set<number>>, isRoot = true): SymdbScope {
  const scopes = node.children.map((c) => toWireScope(c, lines, sourceFile, injectible, false));
  const own = injectible.get(node);
  const injectibleLines = own ? toLineRanges(own) : [];
  const symbols: SymdbSymbol[] = node.symbols.map((s) => ({
    symbol_type: s.type,
    name: s.name,
    line: s.offset === undefined ? UNKNOWN_MIN_LINE : lines.lineOf(s.offset),
    type: s.typeText,
  }));
  const scope: SymdbScope = {
    scope_type: node.type,
    name: node.name,
    source_file: sourceFile,
    start_line: isRoot ? UNKNOWN_MIN_LINE : lines.lineOf(node.start),
    end_line: isRoot ? UNKNOWN_MAX_LINE : lines.lineOf(Math.max(node.start, node.end - 1)),
    symbols,
    scopes,
    has_injectible_lines: injectibleLines.length > 0 || scopes.some((s) => s.has_injectible_lines),
    injectible_lines: injectibleLines,
  };
  if (node.lang) scope.language_specifics = node.lang;
  return scope;
}
