import { performance } from 'node:perf_hooks';
import { matchScore, subsequencePattern } from '../symbols/fuzzy.js';
import { indexRows, type SymbolKind } from '../symbols/index-rows.js';
import { fileHashOf, mergeScopes, shell, sourceFileOf, type LineRange, type WireScope } from '../symbols/scope-tree.js';
import type { SqliteDatabase } from './database.js';
import type { SqlValue } from './sqlite/index.js';
import { StatementCache } from './sqlite/statement-cache.js';

/** Where an upload came from (the symdb event metadata). */
export interface SymbolUploadMeta {
  service: string;
  version: string;
  language: string;
}

export interface SymbolUploadResult {
  /** Root scopes for a (path, hash) not seen before in this service version. */
  added: number;
  /** Root scopes merged into an existing (path, hash) that gained something. */
  merged: number;
  /** Root scopes identical to what was already stored. */
  unchanged: number;
}

export interface SymbolQuery {
  query: string;
  service?: string;
  /** Restricts to one service version; otherwise the latest content of each file is searched. */
  version?: string;
  kinds?: SymbolKind[];
  limit: number;
}

export interface SymbolMatch {
  name: string;
  kind: SymbolKind;
  symbolType: string;
  type: string | null;
  service: string;
  version: string;
  file: string;
  fileHash: string;
  line: number | null;
  startLine: number;
  endLine: number;
  scopeChain: string[];
  injectibleLines: LineRange[];
  score: number;
}

export interface SymbolFileInfo {
  service: string;
  version: string;
  sourceFile: string;
  fileHash: string;
  language: string;
  firstSeen: number;
  lastSeen: number;
  latest: boolean;
}

export interface SymbolFile extends SymbolFileInfo {
  root: WireScope;
  /** Every stored content version of this path in the service, newest first. */
  history: Array<Omit<SymbolFileInfo, 'service' | 'sourceFile' | 'language'>>;
}

interface FileRow {
  id: number;
  service: string;
  version: string;
  source_file: string;
  file_hash: string;
  language: string;
  root: string;
  first_seen: number;
  last_seen: number;
  latest_in_service: number;
  latest_in_version: number;
}

interface MatchRow {
  id: number;
  kind: SymbolKind;
  wire_type: string;
  name: string;
  value_type: string | null;
  line: number | null;
  start_line: number;
  end_line: number;
  scope_chain: string;
  injectible_lines: string;
  service: string;
  version: string;
  source_file: string;
  file_hash: string;
}

/** Bounds on the subsequence (fuzzy) stage, the only one that cannot use an index. */
export interface FuzzyScanBudget {
  /** Symbol rows examined at most per query (counted as id-range width, so an upper bound). */
  rows: number;
  /** Wall time after which no further chunk is started. */
  ms: number;
}

/** Keeps a keystroke query on a large service around a few tens of milliseconds (see BENCHMARKS.md). */
export const DEFAULT_FUZZY_SCAN_BUDGET: Readonly<FuzzyScanBudget> = Object.freeze({ rows: 200_000, ms: 50 });
/** Rows per subsequence-scan statement; the budgets are checked between chunks. */
const FUZZY_CHUNK_ROWS = 20_000;

export interface SymbolSearchResult {
  results: SymbolMatch[];
  /** True when the subsequence stage stopped at its budget before seeing every symbol: type more to narrow. */
  partial: boolean;
}

const KIND_RANK: Record<SymbolKind, number> = { class: 0, function: 1, file: 2, field: 3, parameter: 4, local: 5, scope: 6, symbol: 7 };

function fileInfo(row: FileRow, latest: boolean): SymbolFileInfo {
  return {
    service: row.service,
    version: row.version,
    sourceFile: row.source_file,
    fileHash: row.file_hash,
    language: row.language,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    latest,
  };
}

/**
 * The Symbol Database: one merged root scope per (service, version, file path, file hash),
 * with a flattened, indexed row per named scope and symbol for search. Re-uploads of the same
 * content from other instances, forked workers or later batches merge in place; new content
 * for a path is a new row, and the newest becomes what search sees.
 */
export class SymbolStore {
  readonly #db: SqliteDatabase;
  readonly #getFile;
  readonly #insertFile;
  readonly #updateRoot;
  readonly #touchFile;
  readonly #deleteSymbols;
  readonly #insertSymbol;
  readonly #latestInService;
  readonly #latestInVersion;
  readonly #history;
  readonly #maxSymbolId;
  readonly #fuzzyBudget: FuzzyScanBudget;

  constructor(db: SqliteDatabase, options: { fuzzyScanBudget?: Partial<FuzzyScanBudget> } = {}) {
    this.#db = db;
    this.#fuzzyBudget = { ...DEFAULT_FUZZY_SCAN_BUDGET, ...options.fuzzyScanBudget };
    this.#maxSymbolId = db.prepare('SELECT MAX(id) AS id FROM symbols');
    this.#getFile = db.prepare('SELECT * FROM symbol_files WHERE service = ? AND version = ? AND source_file = ? AND file_hash = ?');
    this.#insertFile = db.prepare(
      `INSERT INTO symbol_files (service, version, source_file, file_hash, language, root, first_seen, last_seen)
       VALUES (@service, @version, @source_file, @file_hash, @language, @root, @now, @now) RETURNING id`,
    );
    this.#updateRoot = db.prepare('UPDATE symbol_files SET root = ?, last_seen = ? WHERE id = ?');
    this.#touchFile = db.prepare('UPDATE symbol_files SET last_seen = ? WHERE id = ?');
    this.#deleteSymbols = db.prepare('DELETE FROM symbols WHERE file_id = ?');
    this.#insertSymbol = db.prepare(
      `INSERT INTO symbols (file_id, kind, wire_type, name, name_lower, value_type, line, start_line, end_line, scope_chain, injectible_lines)
       VALUES (@file_id, @kind, @wire_type, @name, @name_lower, @value_type, @line, @start_line, @end_line, @scope_chain, @injectible_lines)`,
    );
    // "Latest" is the content first seen most recently: a re-upload of old content by a
    // straggling instance does not flip a path back.
    this.#latestInService = db.prepare(
      `UPDATE symbol_files SET latest_in_service = (id = (SELECT id FROM symbol_files WHERE service = @service AND source_file = @source_file
       ORDER BY first_seen DESC, id DESC LIMIT 1)) WHERE service = @service AND source_file = @source_file`,
    );
    this.#latestInVersion = db.prepare(
      `UPDATE symbol_files SET latest_in_version = (id = (SELECT id FROM symbol_files WHERE service = @service AND version = @version
       AND source_file = @source_file ORDER BY first_seen DESC, id DESC LIMIT 1))
       WHERE service = @service AND version = @version AND source_file = @source_file`,
    );
    this.#history = db.prepare(
      'SELECT * FROM symbol_files WHERE service = ? AND source_file = ? ORDER BY first_seen DESC, id DESC',
    );
  }

  /** Stores the root scopes of one upload in a single transaction. */
  upload(meta: SymbolUploadMeta, roots: readonly WireScope[], now = Date.now()): SymbolUploadResult {
    return this.#db.transaction(() => {
      const result: SymbolUploadResult = { added: 0, merged: 0, unchanged: 0 };
      for (const root of roots) {
        const sourceFile = sourceFileOf(root);
        const fileHash = fileHashOf(root);
        const existing = this.#getFile.get(meta.service, meta.version, sourceFile, fileHash) as FileRow | undefined;
        if (existing) {
          const merged = JSON.stringify(mergeScopes(JSON.parse(existing.root) as WireScope, root));
          if (merged === existing.root) {
            this.#touchFile.run(now, existing.id);
            result.unchanged++;
            continue;
          }
          this.#updateRoot.run(merged, now, existing.id);
          this.#deleteSymbols.run(existing.id);
          this.#indexFile(existing.id, JSON.parse(merged) as WireScope, sourceFile);
          result.merged++;
          continue;
        }
        // Normalise through the merge so stored trees have one shape whether merged or not.
        const normalised = mergeScopes(shell(root), root);
        const { id } = this.#insertFile.get({
          service: meta.service,
          version: meta.version,
          source_file: sourceFile,
          file_hash: fileHash,
          language: meta.language,
          root: JSON.stringify(normalised),
          now,
        }) as { id: number };
        this.#indexFile(id, normalised, sourceFile);
        this.#latestInService.run({ service: meta.service, source_file: sourceFile });
        this.#latestInVersion.run({ service: meta.service, version: meta.version, source_file: sourceFile });
        result.added++;
      }
      return result;
    })();
  }

  #indexFile(fileId: number, root: WireScope, sourceFile: string): void {
    for (const row of indexRows(root, sourceFile)) {
      this.#insertSymbol.run({
        file_id: fileId,
        kind: row.kind,
        wire_type: row.wireType,
        name: row.name,
        name_lower: row.name.toLowerCase(),
        value_type: row.valueType,
        line: row.line,
        start_line: row.startLine,
        end_line: row.endLine,
        scope_chain: JSON.stringify(row.scopeChain),
        injectible_lines: JSON.stringify(row.injectibleLines),
      });
    }
  }

  /** {@link searchDetailed} without the completeness flag. */
  search(q: SymbolQuery): SymbolMatch[] {
    return this.searchDetailed(q).results;
  }

  /**
   * Prefix, substring (FTS5 trigram index) and subsequence search, ranked by
   * {@link matchScore}. Each stage only runs while the earlier ones found fewer than `limit`.
   * The subsequence stage is a LIKE scan; it walks the symbols newest first in chunks and stops
   * at the row or time budget, so a short query on a huge service stays fast (`partial` says so).
   */
  searchDetailed(q: SymbolQuery): SymbolSearchResult {
    const query = q.query.trim();
    if (query === '') return { results: [], partial: false };
    let partial = false;
    const lower = query.toLowerCase();
    const filter: string[] = [];
    const params: Record<string, SqlValue> = { cap: Math.max(q.limit * 4, 50) };
    if (q.version !== undefined) {
      filter.push('f.version = @version AND f.latest_in_version = 1');
      params['version'] = q.version;
    } else {
      filter.push('f.latest_in_service = 1');
    }
    if (q.service !== undefined) {
      filter.push('f.service = @service');
      params['service'] = q.service;
    }
    if (q.kinds && q.kinds.length > 0) {
      const names = q.kinds.map((k, i) => {
        params[`kind${i}`] = k;
        return `@kind${i}`;
      });
      filter.push(`s.kind IN (${names.join(', ')})`);
    }
    const where = filter.join(' AND ');
    const select =
      'SELECT s.id, s.kind, s.wire_type, s.name, s.value_type, s.line, s.start_line, s.end_line, s.scope_chain, s.injectible_lines, ' +
      'f.service, f.version, f.source_file, f.file_hash';
    const found = new Map<number, MatchRow>();
    const collect = (sql: string, extra: Record<string, SqlValue>): void => {
      for (const row of this.#statement(sql).all({ ...params, ...extra }) as MatchRow[]) found.set(row.id, row);
    };
    // CROSS JOIN pins the join order: drive from the name index, then look each file up by
    // key. Left to itself the planner scans every symbol of the service instead.
    collect(
      `${select} FROM symbols s CROSS JOIN symbol_files f ON f.id = s.file_id
       WHERE s.name_lower >= @lo AND s.name_lower < @hi AND ${where} ORDER BY s.name_lower LIMIT @cap`,
      { lo: lower, hi: `${lower}\u{10ffff}` },
    );
    if (found.size < q.limit && lower.length >= 3) {
      collect(
        `${select} FROM symbols_fts JOIN symbols s ON s.id = symbols_fts.rowid JOIN symbol_files f ON f.id = s.file_id
         WHERE symbols_fts MATCH @match AND ${where} LIMIT @cap`,
        { match: `"${query.replaceAll('"', '""')}"` },
      );
    }
    if (found.size < q.limit) {
      const sql = `${select} FROM symbols s CROSS JOIN symbol_files f ON f.id = s.file_id
         WHERE s.id > @bottom AND s.id <= @top AND s.name_lower LIKE @pattern ESCAPE '\\' AND ${where} LIMIT @cap`;
      const pattern = subsequencePattern(query);
      const started = performance.now();
      let top = (this.#maxSymbolId.get() as { id: number | null }).id ?? 0;
      let scanned = 0;
      // Gather as many candidates as one statement used to (cap), so ranking has some choice.
      const candidates = params['cap'] as number;
      while (top > 0 && found.size < candidates) {
        if (scanned >= this.#fuzzyBudget.rows || performance.now() - started >= this.#fuzzyBudget.ms) {
          partial = true;
          break;
        }
        const rows = Math.min(FUZZY_CHUNK_ROWS, this.#fuzzyBudget.rows - scanned);
        collect(sql, { pattern, top, bottom: top - rows });
        scanned += rows;
        top -= rows;
      }
    }
    const scored: SymbolMatch[] = [];
    for (const row of found.values()) {
      const score = matchScore(row.name, query);
      if (score === null) continue;
      scored.push({
        name: row.name,
        kind: row.kind,
        symbolType: row.wire_type,
        type: row.value_type,
        service: row.service,
        version: row.version,
        file: row.source_file,
        fileHash: row.file_hash,
        line: row.line,
        startLine: row.start_line,
        endLine: row.end_line,
        scopeChain: JSON.parse(row.scope_chain) as string[],
        injectibleLines: JSON.parse(row.injectible_lines) as LineRange[],
        score,
      });
    }
    scored.sort(
      (a, b) => b.score - a.score || KIND_RANK[a.kind] - KIND_RANK[b.kind] || a.name.length - b.name.length || a.name.localeCompare(b.name),
    );
    return { results: scored.slice(0, q.limit), partial };
  }

  /** The files of a service: the latest content of each path (or of each path in `version`). */
  files(service: string, version?: string): SymbolFileInfo[] {
    const rows = (
      version === undefined
        ? this.#statement('SELECT * FROM symbol_files WHERE service = @service AND latest_in_service = 1 ORDER BY source_file').all({ service })
        : this.#statement(
            'SELECT * FROM symbol_files WHERE service = @service AND version = @version AND latest_in_version = 1 ORDER BY source_file',
          ).all({ service, version })
    ) as FileRow[];
    return rows.map((r) => fileInfo(r, r.latest_in_service === 1));
  }

  /** A file's merged scope tree: the latest content, or a given version or hash, plus its history. */
  file(service: string, sourceFile: string, opts: { version?: string; fileHash?: string } = {}): SymbolFile | null {
    const history = this.#history.all(service, sourceFile) as FileRow[];
    const row = history.find(
      (r) =>
        (opts.fileHash === undefined || r.file_hash === opts.fileHash) &&
        (opts.version === undefined ? opts.fileHash !== undefined || r.latest_in_service === 1 : r.version === opts.version && (opts.fileHash !== undefined || r.latest_in_version === 1)),
    );
    if (!row) return null;
    return {
      ...fileInfo(row, row.latest_in_service === 1),
      root: JSON.parse(row.root) as WireScope,
      history: history.map((r) => ({
        version: r.version,
        fileHash: r.file_hash,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        latest: r.latest_in_service === 1,
      })),
    };
  }

  /** Run-time SQL (filters), prepared once per distinct text. */
  #dynamic: StatementCache | undefined;
  #statement(sql: string) {
    this.#dynamic ??= new StatementCache(this.#db);
    return this.#dynamic.get(sql);
  }
}
