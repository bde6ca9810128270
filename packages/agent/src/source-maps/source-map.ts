/**
 * One parsed source map with the two questions the agent asks of it: where does an original line
 * start in the generated code, and which original position does a generated one come from.
 */
import {
  TraceMap,
  allGeneratedPositionsFor,
  originalPositionFor,
  LEAST_UPPER_BOUND,
  GREATEST_LOWER_BOUND,
} from '@jridgewell/trace-mapping';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** 0-based generated position (V8's convention). */
export interface GeneratedPosition {
  line: number;
  column: number;
}

export interface OriginalPosition {
  /** Absolute path of the original source (or the source string when it is not a file). */
  source: string;
  /** 1-based */
  line: number;
  /** 0-based */
  column: number;
  name: string | null;
}

function normaliseSource(s: string): string {
  if (s.startsWith('file://')) {
    try {
      return fileURLToPath(s);
    } catch {
      return s;
    }
  }
  return s.startsWith('/') ? path.normalize(s) : s;
}

export class SourceMap {
  /** Absolute paths of the original sources, in map order. */
  readonly sources: readonly string[];
  private readonly bySource = new Map<string, string>();

  constructor(
    private readonly map: TraceMap,
  ) {
    this.sources = map.resolvedSources.map(normaliseSource);
    this.sources.forEach((resolved, i) => this.bySource.set(resolved, map.resolvedSources[i]!));
  }

  /**
   * The first generated position of an original 1-based line: all generated positions of the
   * line's first mapped original column, the earliest of them. Not the greatest lower bound,
   * which lands on the previous line when the line itself has no mapping.
   */
  firstGeneratedPosition(source: string, line: number): GeneratedPosition | undefined {
    const raw = this.bySource.get(source);
    if (raw === undefined) return undefined;
    const all = allGeneratedPositionsFor(this.map, { source: raw, line, column: 0, bias: LEAST_UPPER_BOUND });
    let best: GeneratedPosition | undefined;
    for (const p of all) {
      if (p.line === null || p.column === null) continue;
      const g = { line: p.line - 1, column: p.column };
      if (!best || g.line < best.line || (g.line === best.line && g.column < best.column)) best = g;
    }
    return best;
  }

  /** Original position of a 0-based generated position, or undefined when unmapped. */
  originalPosition(pos: GeneratedPosition): OriginalPosition | undefined {
    const o = originalPositionFor(this.map, { line: pos.line + 1, column: pos.column, bias: GREATEST_LOWER_BOUND });
    if (o.source === null || o.line === null) return undefined;
    return { source: normaliseSource(o.source), line: o.line, column: o.column ?? 0, name: o.name };
  }

  /** The embedded content of an original source, when the map carries `sourcesContent`. */
  sourceContent(source: string): string | undefined {
    const raw = this.bySource.get(source);
    if (raw === undefined) return undefined;
    const i = this.map.resolvedSources.indexOf(raw);
    const content = this.map.sourcesContent?.[i];
    return typeof content === 'string' ? content : undefined;
  }

  static parse(json: string | object, mapUrl: string): SourceMap {
    return new SourceMap(new TraceMap(json as any, mapUrl));
  }
}
