/**
 * Turns a probe's `sourceFile:line` into the exact generated locations V8 will break at, or into
 * one precise reason why it cannot: not loaded yet (pending), ambiguous path, no code on the line
 * (with the nearest lines that have code), or a location V8 would move to another line.
 */
import type { InspectorCodeTracker } from '../code-tracking/tracker.js';
import type { TrackedScript } from '../code-tracking/types.js';
import type { InspectorSession } from '../inspector/session.js';
import type { SourceMap, SourceMapStore } from '../source-maps/index.js';
import { baseNameKey, matchSourceFile } from './path-match.js';
import { CollectedFiles, collectedMessage } from './collected-files.js';
import { parseScript, scopeAt, type ParsedScript, type ScopeAtPosition } from './scope-analysis.js';

export interface ResolvedTarget {
  script: TrackedScript;
  /** 0-based generated location V8 breaks at. */
  lineNumber: number;
  columnNumber: number;
  scope: ScopeAtPosition;
  /** The original (or generated, when unmapped) file path and 1-based line the target stands for. */
  file: string;
  line: number;
  /** Generated name → original name, for minified code whose map records names. */
  originalNames: Map<string, string>;
}

export type Resolution =
  | { kind: 'resolved'; path: string; targets: ResolvedTarget[] }
  | { kind: 'pending'; reason: string }
  | { kind: 'error'; message: string };

interface BreakLocation {
  scriptId: string;
  lineNumber: number;
  columnNumber?: number;
}

/** Generated lines searched, from an original line's first generated position, for its code. */
const MAPPED_SEARCH_LINES = 8;

/** Parsed sources kept for scope analysis, most recently used last. */
const MAX_PARSED = 64;

export class LocationResolver {
  private readonly parsed = new Map<string, ParsedScript | null>();
  private readonly collected = new CollectedFiles();
  /**
   * Base name (see baseNameKey) → ids of scripts whose path, or one of whose mapped sources, has
   * that base name. A query looks only at the scripts of its own base name, so resolving a probe
   * does not walk every loaded script and source map (a pending probe is resolved again for each
   * new script that could be its file: walking everything made start-up quadratic).
   */
  private readonly byBaseName = new Map<string, Set<string>>();
  /** Scripts with a source map not indexed yet: maps are read when a query first needs them. */
  private unmapped: TrackedScript[] = [];

  constructor(
    private readonly session: InspectorSession,
    private readonly tracker: InspectorCodeTracker,
    private readonly maps: SourceMapStore,
  ) {
    // Registered before the probe manager's listener, so a new script is indexed when probes see it.
    tracker.onScript((s) => this.index(s));
  }

  private index(s: TrackedScript): void {
    if (s.kind === 'agent' || s.kind === 'internal') return;
    this.addKey(baseNameKey(s.path ?? s.url), s.scriptId);
    if (s.sourceMapURL) this.unmapped.push(s);
  }

  private addKey(key: string, scriptId: string): void {
    let ids = this.byBaseName.get(key);
    if (!ids) this.byBaseName.set(key, (ids = new Set()));
    ids.add(scriptId);
    // Re-evaluated or per-request named eval code adds ids under one key: drop the dead ones
    // whenever the set has doubled, so the index stays the size of the live scripts.
    if (ids.size >= 32 && (ids.size & (ids.size - 1)) === 0) {
      for (const id of ids) if (this.tracker.get(id) === undefined) ids.delete(id);
    }
  }

  /** Indexes the mapped sources of scripts seen since the last query. */
  private indexMaps(): void {
    if (this.unmapped.length === 0) return;
    const pending = this.unmapped;
    this.unmapped = [];
    for (const s of pending) {
      if (this.tracker.get(s.scriptId) === undefined) continue;
      const map = this.maps.mapFor(s);
      if (!map) continue;
      for (const key of new Set(map.sources.map(baseNameKey))) this.addKey(key, s.scriptId);
    }
  }

  /** Base names a probe's sourceFile must have to resolve to this script. */
  baseNamesOf(script: TrackedScript): Set<string> {
    const names = new Set([baseNameKey(script.path ?? script.url)]);
    if (script.sourceMapURL) {
      const map = this.maps.mapFor(script);
      if (map) for (const src of map.sources) names.add(baseNameKey(src));
    }
    return names;
  }

  /**
   * True when `script` (its path or one of its mapped sources) matches `sourceFile` better than
   * `current`, the file a probe is installed on, by the rules of path-match.ts.
   */
  matchesBetter(script: TrackedScript, sourceFile: string, current: string): boolean {
    const paths = [script.path ?? script.url];
    if (script.sourceMapURL) paths.push(...(this.maps.mapFor(script)?.sources ?? []));
    const m = matchSourceFile(sourceFile, [current, ...paths]);
    return m.kind === 'match' && m.path !== current;
  }

  /** Live scripts that may hold `sourceFile`: those indexed under its base name. */
  private scriptsNamed(sourceFile: string): TrackedScript[] {
    this.indexMaps();
    const ids = this.byBaseName.get(baseNameKey(sourceFile));
    const out: TrackedScript[] = [];
    if (!ids) return out;
    for (const id of ids) {
      const s = this.tracker.get(id);
      if (s) out.push(s);
      else ids.delete(id);
    }
    return out;
  }

  /** Original source paths → scripts generated from them, among `scripts` with a usable map. */
  private originalIndex(scripts: TrackedScript[], includeDependencies: boolean): Map<string, TrackedScript[]> {
    const index = new Map<string, TrackedScript[]>();
    for (const s of scripts) {
      if (!s.sourceMapURL) continue;
      if (s.kind === 'dependency' && !includeDependencies) continue;
      const map = this.maps.mapFor(s);
      if (!map) continue;
      for (const src of map.sources) {
        let list = index.get(src);
        if (!list) index.set(src, (list = []));
        list.push(s);
      }
    }
    return index;
  }

  resolveLine(sourceFile: string, line: number): Resolution {
    const named = this.scriptsNamed(sourceFile);
    const generatedPaths = new Set<string>();
    for (const s of named) generatedPaths.add(s.path ?? s.url);
    let original = this.originalIndex(named, false);
    let match = matchSourceFile(sourceFile, [...generatedPaths, ...original.keys()]);
    if (match.kind === 'none') {
      original = this.originalIndex(named, true);
      match = matchSourceFile(sourceFile, [...generatedPaths, ...original.keys()]);
    }
    if (match.kind === 'none') {
      const collected = this.collected.find(sourceFile, this.livePaths(), this.tracker.lostPaths());
      if (collected) return { kind: 'error', message: collectedMessage(collected) };
      return { kind: 'pending', reason: `No loaded script found for ${sourceFile}` };
    }
    if (match.kind === 'ambiguous') {
      return {
        kind: 'error',
        message: `Ambiguous sourceFile ${sourceFile}: it matches ${match.candidates.join(', ')}; give more of the path`,
      };
    }
    const path = match.path;
    const mappedFrom = original.get(path);
    const targets: ResolvedTarget[] = [];
    let firstError: string | undefined;
    if (mappedFrom && mappedFrom.length > 0) {
      for (const script of mappedFrom) {
        const r = this.resolveMapped(script, this.maps.mapFor(script)!, path, line);
        if (typeof r === 'string') firstError ??= r;
        else if (r !== undefined) targets.push(r);
      }
    } else {
      for (const script of this.tracker.byFilePath(path)) {
        const r = this.resolveGenerated(script, path, line);
        if (typeof r === 'string') firstError ??= r;
        else if (r !== undefined) targets.push(r);
      }
    }
    if (targets.length === 0) {
      // Every copy of the file V8 had was collected: only top-level code, which already ran.
      if (firstError === undefined) return { kind: 'error', message: collectedMessage(path) };
      return { kind: 'error', message: firstError };
    }
    return { kind: 'resolved', path, targets };
  }

  private livePaths(): Set<string> {
    return new Set(this.tracker.paths());
  }

  /** Resolves against one particular script (used when a new script is parsed). */
  resolveInScript(script: TrackedScript, path: string, line: number): ResolvedTarget | string | undefined {
    if (script.path === path) return this.resolveGenerated(script, path, line);
    const map = this.maps.mapFor(script);
    if (map && map.sources.includes(path)) return this.resolveMapped(script, map, path, line);
    return undefined;
  }

  private possibleBreakpoints(script: TrackedScript, startLine: number, startColumn: number, endLine: number): BreakLocation[] | undefined {
    const r = this.session.tryPost<{ locations: BreakLocation[] }>('Debugger.getPossibleBreakpoints', {
      start: { scriptId: script.scriptId, lineNumber: startLine, columnNumber: startColumn },
      end: { scriptId: script.scriptId, lineNumber: endLine, columnNumber: 0 },
      restrictToFunction: false,
    });
    if (r === undefined) {
      // V8 no longer knows the script: it was garbage-collected.
      this.tracker.forget(script.scriptId, true);
      return undefined;
    }
    return r.locations;
  }

  /**
   * Every break location of the script, or undefined once V8 has no code left for it. Even an
   * empty script has a return location, so none at all means the script's top-level function
   * was collected after it ran while the Script object lingers (seen on Node 20 under load):
   * the script is then forgotten and reported like a collected file.
   */
  private allLocations(script: TrackedScript): BreakLocation[] | undefined {
    const locs = this.possibleBreakpoints(script, script.startLine, 0, script.endLine + 1);
    if (locs?.length === 0) {
      this.tracker.forget(script.scriptId, true);
      return undefined;
    }
    return locs;
  }

  private resolveGenerated(script: TrackedScript, path: string, line: number): ResolvedTarget | string | undefined {
    const genLine = line - 1;
    if (genLine < script.startLine || genLine > script.endLine) {
      return `Line ${line} is outside ${path}, which has ${script.endLine + 1} lines`;
    }
    const locs = this.possibleBreakpoints(script, genLine, 0, genLine + 1);
    if (locs === undefined) return undefined;
    const loc = locs.find((l) => l.lineNumber === genLine);
    if (!loc) return this.noCodeMessage(script, path, line, undefined);
    return this.target(script, loc, path, line);
  }

  /**
   * The first breakable position at or after the line's first generated position that still
   * maps to this line. The search may go past the first generated line: tsc often starts a line
   * with a zero-width mapping at the end of the previous generated line (`} else if (x) {`
   * becomes `}` and `else if (x) {` on the next line). It stops at the first location mapped to
   * a later line of the file, so it never takes another line's code.
   *
   * Among the positions of the line, one that can run again is preferred to load-time code. A
   * TypeScript method compiled to an ES5 class wrapper starts with `C.prototype.m = function (…)
   * {` on the wrapper's level (it ran once, at load); the method's own first statement can map
   * to the method's line too (`var _this = this;` for `subscribe(`). The rule stays "first
   * generated position of the line", applied to the code that can still run: a probe that can
   * fire beats one that cannot, and both stand for the same original line.
   */
  private resolveMapped(script: TrackedScript, map: SourceMap, path: string, line: number): ResolvedTarget | string | undefined {
    const gen = map.firstGeneratedPosition(path, line);
    if (!gen) return this.noCodeMessage(script, path, line, map);
    const locs = this.possibleBreakpoints(script, gen.line, gen.column, gen.line + MAPPED_SEARCH_LINES);
    if (locs === undefined) return undefined;
    let first: ResolvedTarget | undefined;
    for (const loc of locs) {
      const orig = map.originalPosition({ line: loc.lineNumber, column: loc.columnNumber ?? 0 });
      if (!orig || orig.source !== path) continue;
      if (orig.line > line) break;
      if (orig.line !== line) continue;
      const t = this.target(script, loc, path, line, map);
      if (!t.scope.loadTime) return t;
      first ??= t;
    }
    return first ?? this.noCodeMessage(script, path, line, map);
  }

  private target(script: TrackedScript, loc: BreakLocation, file: string, line: number, map?: SourceMap): ResolvedTarget {
    const parsed = this.parse(script);
    const scope: ScopeAtPosition = parsed
      ? scopeAt(parsed, loc.lineNumber, loc.columnNumber ?? 0)
      : { args: [], locals: [], unavailable: [], moduleNames: [], insideWith: false, topLevel: false, loadTime: false, functionName: '', declaredAt: new Map() };
    const originalNames = new Map<string, string>();
    if (map && parsed) {
      for (const [name, offset] of scope.declaredAt) {
        const lineIndex = upperBound(parsed.lineStarts, offset) - 1;
        const orig = map.originalPosition({ line: lineIndex, column: offset - parsed.lineStarts[lineIndex]! });
        if (orig?.name && orig.name !== name) originalNames.set(name, orig.name);
      }
    }
    return { script, lineNumber: loc.lineNumber, columnNumber: loc.columnNumber ?? 0, scope, file, line, originalNames };
  }

  private parse(script: TrackedScript): ParsedScript | null {
    const cached = this.parsed.get(script.scriptId);
    if (cached !== undefined) {
      this.parsed.delete(script.scriptId);
      this.parsed.set(script.scriptId, cached);
      return cached;
    }
    let result: ParsedScript | null = null;
    const source = this.tracker.getScriptSource(script.scriptId);
    if (source !== undefined) {
      try {
        result = parseScript(source, script.isModule);
      } catch {
        result = null;
      }
    }
    this.parsed.set(script.scriptId, result);
    if (this.parsed.size > MAX_PARSED) this.parsed.delete(this.parsed.keys().next().value!);
    return result;
  }

  /** Lines (1-based, in `path`'s own numbering) that can take a probe. */
  breakableLines(script: TrackedScript, path: string, map: SourceMap | undefined): number[] {
    return [...this.lineKinds(script, path, map, false).keys()].sort((a, b) => a - b);
  }

  /**
   * Each line that can take a probe, and whether it only runs at load time (every location on
   * it is module top-level code). `withScopes` parses the script to tell.
   */
  lineKinds(script: TrackedScript, path: string, map: SourceMap | undefined, withScopes = true): Map<number, { loadTime: boolean }> {
    const locs = this.allLocations(script) ?? [];
    const parsed = withScopes ? this.parse(script) : null;
    const lines = new Map<number, { loadTime: boolean }>();
    for (const l of locs) {
      let line: number;
      if (!map) line = l.lineNumber + 1;
      else {
        const o = map.originalPosition({ line: l.lineNumber, column: l.columnNumber ?? 0 });
        if (!o || o.source !== path) continue;
        line = o.line;
      }
      const loadTime = parsed ? scopeAt(parsed, l.lineNumber, l.columnNumber ?? 0).loadTime : false;
      const prev = lines.get(line);
      lines.set(line, { loadTime: (prev?.loadTime ?? true) && loadTime });
    }
    return lines;
  }

  /** Why `line` cannot take a probe, or undefined when the whole script's code was collected. */
  private noCodeMessage(script: TrackedScript, path: string, line: number, map: SourceMap | undefined): string | undefined {
    const lines = this.breakableLines(script, path, map);
    if (this.tracker.get(script.scriptId) === undefined) return undefined;
    let below: number | undefined;
    let above: number | undefined;
    for (const l of lines) {
      if (l < line) below = l;
      else if (l > line && above === undefined) above = l;
    }
    const near = [below, above].filter((x): x is number => x !== undefined);
    return `No executable code at ${path}:${line}` + (near.length ? `; nearest lines with code: ${near.join(', ')}` : '; the file has no line that can take a probe');
  }
}

/** Index of the first element greater than `x` in a sorted array. */
function upperBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
