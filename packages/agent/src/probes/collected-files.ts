/**
 * Files the module loader has loaded but whose code V8 has garbage-collected. V8 collects a
 * script once nothing references its code: a module made only of top-level statements (config,
 * re-exports) is gone after it ran, even while the debugger is on. Such a file is reported as
 * loaded with no live code, never as "not loaded", so that its probes do not wait forever.
 * The CommonJS loader exposes what it loaded (`require.cache`); ESM has no such list, so the
 * code tracker's record of files whose scripts it saw collected stands in for it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { readSourceMapText } from '../source-maps/store.js';
import { SourceMap } from '../source-maps/source-map.js';
import { matchSourceFile } from './path-match.js';

const require = createRequire(import.meta.url);
/** Files the loaders compile to scripts; `require.cache` also holds `.json` data and `.node` addons. */
export const CODE_FILE = /\.[cm]?[jt]sx?$/;
const SOURCE_MAP_COMMENT = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/;

export function collectedMessage(file: string): string {
  return (
    `${file} was loaded, but V8 has garbage-collected its code: it held only module top-level code, ` +
    'which already executed and will not run again, so a probe there can never fire'
  );
}

export class CollectedFiles {
  /** Original sources of a generated file, read from its source map on disk once. */
  private readonly sourcesOf = new Map<string, readonly string[]>();

  /** The loaded-but-collected file (original source path when mapped) matching `sourceFile`. */
  find(sourceFile: string, live: ReadonlySet<string>, lost: Iterable<string>): string | undefined {
    const dead = Object.keys(require.cache).filter((f) => !live.has(f) && path.isAbsolute(f) && CODE_FILE.test(f));
    for (const f of lost) if (!live.has(f) && !dead.includes(f)) dead.push(f);
    if (dead.length === 0) return undefined;
    const direct = matchSourceFile(sourceFile, dead);
    if (direct.kind === 'match') return direct.path;
    const originals = new Map<string, string>();
    for (const file of dead) for (const src of this.sources(file)) originals.set(src, file);
    const mapped = matchSourceFile(sourceFile, originals.keys());
    return mapped.kind === 'match' ? mapped.path : undefined;
  }

  private sources(file: string): readonly string[] {
    let list = this.sourcesOf.get(file);
    if (list === undefined) {
      list = [];
      try {
        const text = readFileSync(file, 'utf8');
        const m = SOURCE_MAP_COMMENT.exec(text.slice(-4096).trimEnd());
        if (m) {
          const { text: mapText, mapUrl } = readSourceMapText(m[1]!, file);
          list = SourceMap.parse(mapText, mapUrl).sources;
        }
      } catch {
        list = [];
      }
      this.sourcesOf.set(file, list);
    }
    return list;
  }
}
