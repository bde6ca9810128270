/**
 * Symbol Database scopes as uploaded (shared/reference/symbol-database.md §3), and the merge
 * that folds overlapping uploads of the same file into one tree without losing anything.
 */
export interface LineRange {
  start: number;
  end: number;
}

export interface WireSymbol {
  symbol_type: string;
  name: string;
  line?: number;
  type?: string | null;
  language_specifics?: Record<string, unknown> | null;
}

export interface WireScope {
  scope_type: string;
  name?: string | null;
  source_file?: string;
  start_line: number;
  end_line: number;
  language_specifics?: Record<string, unknown> | null;
  symbols?: WireSymbol[] | null;
  scopes?: WireScope[] | null;
  has_injectible_lines?: boolean;
  injectible_lines?: LineRange[] | null;
}

/** Sorts and coalesces inclusive ranges: [1-3],[4-6],[9-9] stays [1-6],[9-9]. */
export function mergeRanges(ranges: readonly LineRange[]): LineRange[] {
  const sorted = ranges
    .filter((r) => Number.isInteger(r.start) && Number.isInteger(r.end) && r.end >= r.start)
    .map((r) => ({ start: r.start, end: r.end }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const out: LineRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

function scopeKey(s: WireScope): string {
  return `${s.scope_type}\0${s.name ?? ''}\0${s.start_line}`;
}

function symbolKey(s: WireSymbol): string {
  return `${s.symbol_type}\0${s.name}\0${s.line ?? ''}`;
}

/**
 * Merges `incoming` into `existing` (same root key): the union of child scopes (matched by
 * type, name and start line) and symbols, with the newer upload winning on scalar fields.
 * A hot-load batch that adds a class to an already-uploaded file adds it; nothing is dropped.
 * The result is canonical: merging the same content again yields identical JSON.
 */
export function mergeScopes(existing: WireScope, incoming: WireScope): WireScope {
  const children = new Map<string, WireScope>();
  for (const c of existing.scopes ?? []) children.set(scopeKey(c), c);
  for (const c of incoming.scopes ?? []) {
    const key = scopeKey(c);
    const prior = children.get(key);
    children.set(key, mergeScopes(prior ?? shell(c), c));
  }
  const symbols = new Map<string, WireSymbol>();
  for (const s of existing.symbols ?? []) symbols.set(symbolKey(s), s);
  for (const s of incoming.symbols ?? []) symbols.set(symbolKey(s), s);
  const lines = mergeRanges([...(existing.injectible_lines ?? []), ...(incoming.injectible_lines ?? [])]);
  const merged: WireScope = {
    ...existing,
    ...incoming,
    language_specifics: { ...(existing.language_specifics ?? {}), ...(incoming.language_specifics ?? {}) },
    symbols: [...symbols.values()],
    scopes: [...children.values()],
  };
  if (lines.length > 0 || existing.injectible_lines || incoming.injectible_lines) merged.injectible_lines = lines;
  if (existing.has_injectible_lines !== undefined || incoming.has_injectible_lines !== undefined) {
    merged.has_injectible_lines = existing.has_injectible_lines === true || incoming.has_injectible_lines === true || lines.length > 0;
  }
  return merged;
}

/** An empty scope with `s`'s identity: merging `s` into it gives `s` in the canonical stored shape. */
export function shell(s: WireScope): WireScope {
  return { scope_type: s.scope_type, name: s.name, source_file: s.source_file, start_line: s.start_line, end_line: s.end_line };
}

/** The git blob SHA-1 recorded by the tracer, or '' when the upload has none. */
export function fileHashOf(root: WireScope): string {
  const h = root.language_specifics?.['file_hash'];
  return typeof h === 'string' ? h : '';
}

/** The path a root scope describes. */
export function sourceFileOf(root: WireScope): string {
  return root.source_file || root.name || '';
}
