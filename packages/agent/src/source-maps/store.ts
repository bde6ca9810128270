/**
 * Loads each script's source map at most once, lazily, from any of the forms compilers emit:
 * an inline `data:` URL, a path relative to the script, an absolute path or a `file://` URL.
 * A broken map is remembered as broken: the generated file stays targetable, only its original
 * sources are unavailable.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrackedScript } from '../code-tracking/types.js';
import { SourceMap } from './source-map.js';

export type SourceMapResult = { ok: true; map: SourceMap } | { ok: false; error: string };

/** Maps larger than this are not parsed in-process. */
const MAX_MAP_BYTES = 64 * 1024 * 1024;

export function readSourceMapText(sourceMapURL: string, scriptPath: string | undefined): { text: string; mapUrl: string } {
  if (sourceMapURL.startsWith('data:')) {
    const comma = sourceMapURL.indexOf(',');
    if (comma < 0) throw new Error('malformed data: URL');
    const meta = sourceMapURL.slice(5, comma);
    const body = sourceMapURL.slice(comma + 1);
    const text = meta.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
    return { text, mapUrl: scriptPath ?? '/' };
  }
  let mapPath: string;
  if (sourceMapURL.startsWith('file://')) mapPath = fileURLToPath(sourceMapURL);
  else if (path.isAbsolute(sourceMapURL)) mapPath = sourceMapURL;
  else if (scriptPath !== undefined) mapPath = path.resolve(path.dirname(scriptPath), decodeURIComponent(sourceMapURL));
  else throw new Error(`cannot resolve relative source map ${sourceMapURL} of a script without a file`);
  const buf = readFileSync(mapPath);
  if (buf.byteLength > MAX_MAP_BYTES) throw new Error(`source map ${mapPath} is larger than ${MAX_MAP_BYTES} bytes`);
  return { text: buf.toString('utf8'), mapUrl: mapPath };
}

export class SourceMapStore {
  /** Keyed by script path + sourceMapURL so that re-evaluated copies of a file share one parse. */
  private readonly cache = new Map<string, SourceMapResult>();

  get(script: TrackedScript): SourceMapResult | undefined {
    if (!script.sourceMapURL) return undefined;
    const key = `${script.path ?? script.url}\0${script.sourceMapURL.length > 200 ? script.hash : script.sourceMapURL}`;
    let result = this.cache.get(key);
    if (result === undefined) {
      try {
        const { text, mapUrl } = readSourceMapText(script.sourceMapURL, script.path);
        result = { ok: true, map: SourceMap.parse(text, mapUrl) };
      } catch (err) {
        result = { ok: false, error: `Broken source map for ${script.path ?? script.url}: ${(err as Error).message}` };
      }
      this.cache.set(key, result);
    }
    return result;
  }

  /** The parsed map, or undefined when the script has none or it is broken. */
  mapFor(script: TrackedScript): SourceMap | undefined {
    const r = this.get(script);
    return r?.ok ? r.map : undefined;
  }

  stats(): { loaded: number; broken: number } {
    let broken = 0;
    for (const r of this.cache.values()) if (!r.ok) broken++;
    return { loaded: this.cache.size - broken, broken };
  }
}
