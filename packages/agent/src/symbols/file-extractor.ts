/**
 * Turns one loaded script into root scopes (runs in the symbols worker): reads the file, and
 * either extracts it directly or, when it has a source map, extracts every original source it
 * came from (TypeScript users see their own names, lines and types) with the generated file's
 * statement positions mapped back as injectible lines.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseSync, rawTransferSupported, type ParserOptions } from 'oxc-parser';
import { SourceMap, readSourceMapText } from '../source-maps/index.js';
import { AstWalker } from './ast-walker.js';
import { isWantedFile, sourceFileName } from './code-filter.js';
import { gitBlobHash } from './git-blob-hash.js';
import { LineTable } from './line-table.js';
import { injectibleFromOwnStatements, injectibleFromPositions, toWireScope, type ScopeNode } from './scope-tree.js';
import type { SymdbScope } from './wire.js';

/** One script to extract, as the main thread describes it. */
export interface ExtractJob {
  /** Absolute path when the script came from a file (the worker reads it). */
  path?: string | undefined;
  /** V8's URL: the name of code without a file (`//# sourceURL`). */
  url: string;
  sourceMapURL?: string | undefined;
  isModule: boolean;
  /** The source of code without a file, passed by the main thread. */
  source?: string | undefined;
}

export interface ExtractedRoot {
  /** `source_file` of the root: the path a probe would use. */
  name: string;
  fileHash: string;
  scope: SymdbScope;
}

export interface ExtractorOptions {
  appRoot: string;
  includes: readonly string[];
  /** Larger files are skipped (counted). Default 1 MiB. */
  maxFileBytes?: number;
  /** At most this many distinct files per process (counted). Default 10,000. */
  maxFiles?: number;
}

export interface ExtractorCounters {
  filesExtracted: number;
  unchanged: number;
  skippedTooLarge: number;
  skippedFileLimit: number;
  skippedNotWanted: number;
  parseErrors: number;
  extractionErrors: number;
  brokenSourceMaps: number;
  /** Source-mapped scripts whose original sources were neither on disk nor in the map: the generated file was extracted instead. */
  originalsMissing: number;
  bytesParsed: number;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_FILES = 10_000;

/** Node 22+ on 64-bit little-endian: the AST comes through shared memory instead of JSON. */
const RAW_TRANSFER = rawTransferSupported();
const SOURCE_MAPPING_URL = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/;

export function zeroCounters(): ExtractorCounters {
  return {
    filesExtracted: 0,
    unchanged: 0,
    skippedTooLarge: 0,
    skippedFileLimit: 0,
    skippedNotWanted: 0,
    parseErrors: 0,
    extractionErrors: 0,
    brokenSourceMaps: 0,
    originalsMissing: 0,
    bytesParsed: 0,
  };
}

export class FileExtractor {
  readonly counters: ExtractorCounters = zeroCounters();
  readonly #opts: Required<ExtractorOptions>;
  /** `name\0hash` of every file extracted: a changed file (new hash) is extracted again. */
  readonly #seen = new Set<string>();
  /** Distinct file names extracted, for the file cap. */
  readonly #names = new Set<string>();

  constructor(opts: ExtractorOptions) {
    this.#opts = { maxFileBytes: DEFAULT_MAX_FILE_BYTES, maxFiles: DEFAULT_MAX_FILES, ...opts };
  }

  /** Forgets what was extracted (a re-enable uploads everything again). */
  reset(): void {
    this.#seen.clear();
    this.#names.clear();
  }

  /** Allows a file to be extracted again (its upload failed). */
  forget(name: string, fileHash: string): void {
    this.#seen.delete(`${name}\0${fileHash}`);
  }

  /** Root scopes for new or changed sources of this script; never throws. */
  extract(job: ExtractJob): ExtractedRoot[] {
    try {
      const loaded = this.#load(job);
      if (!loaded) return [];
      const map = this.#sourceMap(job, loaded.text);
      return map ? this.#extractMapped(job, loaded, map) : this.#extractPlain(job, loaded);
    } catch {
      this.counters.extractionErrors++;
      return [];
    }
  }

  #load(job: ExtractJob): { text: string; bytes: Buffer | string } | undefined {
    if (job.path === undefined) {
      if (job.source === undefined) return undefined;
      if (Buffer.byteLength(job.source) > this.#opts.maxFileBytes) {
        this.counters.skippedTooLarge++;
        return undefined;
      }
      return { text: job.source, bytes: job.source };
    }
    if (statSync(job.path).size > this.#opts.maxFileBytes) {
      this.counters.skippedTooLarge++;
      return undefined;
    }
    const bytes = readFileSync(job.path);
    return { text: bytes.toString('utf8'), bytes };
  }

  #extractPlain(job: ExtractJob, loaded: { text: string; bytes: Buffer | string }): ExtractedRoot[] {
    const name = job.path !== undefined ? sourceFileName(job.path, this.#opts.appRoot) : job.url;
    const fileHash = gitBlobHash(loaded.bytes);
    if (!this.#admit(name, fileHash)) return [];
    const parsed = this.#parse(loaded.text, job.path ?? job.url, sourceTypeOf(job.path ?? job.url, job.isModule), name);
    const scope = toWireScope(parsed.root, parsed.lines, name, injectibleFromOwnStatements(parsed.root, parsed.lines));
    scope.language_specifics = { file_hash: fileHash };
    return [{ name, fileHash, scope }];
  }

  #extractMapped(job: ExtractJob, loaded: { text: string; bytes: Buffer | string }, map: SourceMap): ExtractedRoot[] {
    const generated = loaded.text;
    // Decide which original sources are new before parsing anything.
    const wanted: { source: string; name: string; content: string; fileHash: string }[] = [];
    let found = 0;
    let missing = 0;
    for (const source of map.sources) {
      const isFile = path.isAbsolute(source);
      if (isFile && !isWantedFile(source, this.#opts.includes, this.#opts.appRoot)) {
        this.counters.skippedNotWanted++;
        continue;
      }
      let content = map.sourceContent(source);
      if (content === undefined && isFile) {
        try {
          if (statSync(source).size > this.#opts.maxFileBytes) {
            this.counters.skippedTooLarge++;
            continue;
          }
          content = readFileSync(source, 'utf8');
        } catch {
          // The original is gone: nothing to extract from.
        }
      }
      if (content === undefined) {
        missing++;
        continue;
      }
      found++;
      if (Buffer.byteLength(content) > this.#opts.maxFileBytes) {
        this.counters.skippedTooLarge++;
        continue;
      }
      const name = isFile ? sourceFileName(source, this.#opts.appRoot) : webpackLikeName(source);
      const fileHash = gitBlobHash(content);
      if (this.#admit(name, fileHash)) wanted.push({ source, name, content, fileHash });
    }
    if (found === 0 && missing > 0) {
      // No original source can be read (a deployment without them, a map without sourcesContent):
      // the generated file is still code a probe can target by its own path.
      this.counters.originalsMissing++;
      return this.#extractPlain(job, loaded);
    }
    if (wanted.length === 0) return [];

    // Where the generated code can break, in original coordinates, by original source.
    const gen = this.#parse(generated, job.path ?? job.url, sourceTypeOf(job.path ?? job.url, job.isModule), '');
    const positions = new Map<string, [number, number][]>();
    for (const offset of gen.breakables) {
      const line = gen.lines.lineOf(offset);
      const column = offset - gen.lines.offsetOf(line, 0);
      const original = map.originalPosition({ line: line - 1, column });
      if (!original) continue;
      let list = positions.get(original.source);
      if (!list) positions.set(original.source, (list = []));
      list.push([original.line, original.column]);
    }

    const roots: ExtractedRoot[] = [];
    for (const w of wanted) {
      const parsed = this.#parse(w.content, w.source, 'unambiguous', w.name);
      const injectible = injectibleFromPositions(parsed.root, parsed.lines, positions.get(w.source) ?? []);
      const scope = toWireScope(parsed.root, parsed.lines, w.name, injectible);
      scope.language_specifics = { file_hash: w.fileHash };
      roots.push({ name: w.name, fileHash: w.fileHash, scope });
    }
    return roots;
  }

  /** Records a (name, hash) pair; false when it was extracted before or the file cap is reached. */
  #admit(name: string, fileHash: string): boolean {
    const key = `${name}\0${fileHash}`;
    if (this.#seen.has(key)) {
      this.counters.unchanged++;
      return false;
    }
    if (!this.#names.has(name) && this.#names.size >= this.#opts.maxFiles) {
      this.counters.skippedFileLimit++;
      return false;
    }
    this.#seen.add(key);
    this.#names.add(name);
    this.counters.filesExtracted++;
    return true;
  }

  #parse(text: string, filename: string, sourceType: NonNullable<ParserOptions['sourceType']>, name: string): { root: ScopeNode; lines: LineTable; breakables: number[] } {
    this.counters.bytesParsed += text.length;
    const options: ParserOptions & { experimentalRawTransfer?: boolean } = { lang: langOf(filename), sourceType, preserveParens: false };
    if (RAW_TRANSFER) options.experimentalRawTransfer = true;
    const result = parseSync(filename, text, options);
    if (result.errors.length > 0) this.counters.parseErrors++;
    const walker = new AstWalker(text);
    const root = walker.walkProgram(result.program as never, name);
    return { root, lines: new LineTable(text), breakables: walker.breakables };
  }

  #sourceMap(job: ExtractJob, text: string): SourceMap | undefined {
    let url = job.sourceMapURL;
    if (url === undefined) {
      const tail = text.slice(Math.max(0, text.length - 4096)).trimEnd();
      const lastLine = tail.slice(tail.lastIndexOf('\n') + 1);
      url = SOURCE_MAPPING_URL.exec(lastLine)?.[1];
    }
    if (url === undefined) return undefined;
    try {
      const { text: mapText, mapUrl } = readSourceMapText(url, job.path);
      const map = SourceMap.parse(mapText, mapUrl);
      return map.sources.length > 0 ? map : undefined;
    } catch {
      this.counters.brokenSourceMaps++;
      return undefined;
    }
  }
}

/** Whether parsing is done through oxc's raw transfer (reported in stats and benchmarks). */
export const parserTransfer: 'raw' | 'json' = RAW_TRANSFER ? 'raw' : 'json';

function langOf(filename: string): NonNullable<ParserOptions['lang']> {
  const ext = path.extname(filename).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.cts') return 'ts';
  if (ext === '.tsx') return 'tsx';
  // JSX is a superset of plain JS for the parser, and React code often keeps `.js`.
  return 'jsx';
}

function sourceTypeOf(filename: string, isModule: boolean): NonNullable<ParserOptions['sourceType']> {
  const ext = path.extname(filename).toLowerCase();
  if (ext === '.mjs' || ext === '.mts') return 'module';
  if (ext === '.cjs' || ext === '.cts') return 'commonjs';
  return isModule ? 'module' : 'commonjs';
}

/** `webpack://app/./src/x.ts` → `src/x.ts`: bundler URLs name no file on disk. */
function webpackLikeName(source: string): string {
  const m = /^[a-z][\w+.-]*:\/\/[^/]*\/(.*)$/i.exec(source);
  return (m ? m[1]! : source).replace(/^(\.\/)+/, '');
}
