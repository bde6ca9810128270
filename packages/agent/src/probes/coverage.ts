/**
 * Targeting coverage of loaded application code: for each file, how many lines can take a probe,
 * how many of those only run at load time, and which files the module loader knows but whose
 * code V8 has already collected.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { InspectorCodeTracker } from '../code-tracking/tracker.js';
import type { SourceMapStore } from '../source-maps/index.js';
import type { LocationResolver } from './location-resolver.js';
import { CODE_FILE } from './collected-files.js';

export interface FileCoverage {
  /** Path relative to the application root. */
  file: string;
  sourceMapped: boolean;
  /** Lines V8 can break on (original lines for source-mapped files); every one can take a probe. */
  linesWithCode: number;
  /** Of those, lines that only run when the module is evaluated (imports, top-level statements). */
  loadTimeLines: number;
  liveScripts: number;
}

export interface CoverageReport {
  files: FileCoverage[];
  /** Code files the loaders loaded with no live script left: their code was collected. */
  collectedFiles: string[];
  totals: { files: number; filesWithCode: number; sourceMapped: number; linesWithCode: number; loadTimeLines: number; collectedFiles: number };
}

const require = createRequire(import.meta.url);

export function coverageReport(
  tracker: InspectorCodeTracker,
  maps: SourceMapStore,
  resolver: LocationResolver,
  appRoot: string,
): CoverageReport {
  const files = new Map<string, FileCoverage>();
  const live = new Set<string>();
  for (const script of tracker.scripts()) {
    if (script.kind !== 'app' || !script.path) continue;
    const map = maps.mapFor(script);
    const sources = map ? map.sources.filter((s) => !s.includes(`${path.sep}node_modules${path.sep}`)) : [script.path];
    const kindsBySource = sources.map((source) => resolver.lineKinds(script, source, map));
    // lineKinds forgets a script whose code V8 collected: it belongs with the collected files.
    if (tracker.get(script.scriptId) === undefined) continue;
    live.add(script.path);
    for (const [i, source] of sources.entries()) {
      const key = path.relative(appRoot, source);
      const kinds = kindsBySource[i]!;
      const lines = kinds.size;
      let loadTime = 0;
      for (const k of kinds.values()) if (k.loadTime) loadTime++;
      const prev = files.get(key);
      if (prev) {
        prev.liveScripts++;
        prev.linesWithCode = Math.max(prev.linesWithCode, lines);
      } else files.set(key, { file: key, sourceMapped: map !== undefined, linesWithCode: lines, loadTimeLines: loadTime, liveScripts: 1 });
    }
  }
  // Code files the loaders loaded (CommonJS: require.cache; ES modules: scripts the tracker saw
  // collected) with no live script left. Data files (`.json`) and addons never had a script.
  const collectedFiles: string[] = [];
  const loaded = new Set([...Object.keys(require.cache).filter((p) => CODE_FILE.test(p)), ...tracker.lostPaths()]);
  for (const p of loaded) {
    if (p.includes(`${path.sep}node_modules${path.sep}`) || live.has(p) || !p.startsWith(appRoot)) continue;
    collectedFiles.push(path.relative(appRoot, p));
  }
  const list = [...files.values()].sort((a, b) => a.file.localeCompare(b.file));
  return {
    files: list,
    collectedFiles: collectedFiles.sort(),
    totals: {
      files: list.length,
      filesWithCode: list.filter((f) => f.linesWithCode > 0).length,
      sourceMapped: list.filter((f) => f.sourceMapped).length,
      linesWithCode: list.reduce((n, f) => n + f.linesWithCode, 0),
      loadTimeLines: list.reduce((n, f) => n + f.loadTimeLines, 0),
      collectedFiles: collectedFiles.length,
    },
  };
}
