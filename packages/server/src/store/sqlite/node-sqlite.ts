import type { OpenOptions, SqliteConnection, SqliteStatement } from './connection.js';

// The parts of `node:sqlite` used here (@types/node 20 has no types for it).
type NodeStatementSync = SqliteStatement;
interface NodeDatabaseSync {
  prepare(sql: string): NodeStatementSync;
  exec(sql: string): void;
  close(): void;
  /** Node ≥ 22.16 / 24. */
  readonly isTransaction?: boolean;
}
export interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => NodeDatabaseSync;
  StatementSync: { prototype: Partial<NodeStatementSync> };
}

/**
 * Node's built-in SQLite, when this Node has it unflagged with `StatementSync#iterate`
 * (Node ≥ 22.13). Loading it never prints its ExperimentalWarning (Node 22/23 emit one).
 */
export function loadNodeSqlite(): NodeSqliteModule | undefined {
  if (typeof process.getBuiltinModule !== 'function') return undefined; // Node < 20.16
  let mod: NodeSqliteModule | undefined;
  try {
    // Flag-gated on Node 22.5–22.12 (and absent before): getBuiltinModule returns undefined.
    mod = withoutSqliteExperimentalWarning(() => process.getBuiltinModule('node:sqlite')) as NodeSqliteModule | undefined;
  } catch {
    return undefined;
  }
  if (typeof mod?.DatabaseSync !== 'function' || typeof mod.StatementSync?.prototype.iterate !== 'function') return undefined;
  return mod;
}

export function openNodeSqlite(sqlite: NodeSqliteModule, file: string, options: OpenOptions): SqliteConnection {
  // Its defaults match better-sqlite3's build: foreign keys on, double-quoted strings are identifiers.
  const db = new sqlite.DatabaseSync(file, { readOnly: options.readonly === true });
  return {
    driver: 'node:sqlite',
    // node:sqlite's statements already have run/get/all/iterate with these signatures.
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => db.exec(sql),
    pragma: (text) => db.prepare(`PRAGMA ${text}`).all(),
    get inTransaction() {
      return db.isTransaction;
    },
    close: () => db.close(),
  };
}

const SQLITE_WARNING = /^SQLite is an experimental feature\b/;

/**
 * Runs `load` with `process.emitWarning` filtered: the one ExperimentalWarning node:sqlite emits
 * when it loads is dropped, every other warning passes through unchanged. Restored afterwards,
 * so warnings emitted later (by anyone) are untouched.
 */
export function withoutSqliteExperimentalWarning<T>(load: () => T): T {
  const original = process.emitWarning;
  const filtered = (warning: string | Error, ...rest: unknown[]): void => {
    if (isSqliteExperimentalWarning(warning, rest[0])) return;
    Reflect.apply(original, process, [warning, ...rest]);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
  try {
    return load();
  } finally {
    // Only undo our own patch (someone may have replaced it meanwhile).
    if (process.emitWarning === (filtered as typeof process.emitWarning)) process.emitWarning = original;
  }
}

function isSqliteExperimentalWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  let type: unknown;
  if (typeof typeOrOptions === 'string') type = typeOrOptions;
  else if (typeof typeOrOptions === 'object' && typeOrOptions !== null) type = (typeOrOptions as { type?: unknown }).type;
  else if (warning instanceof Error) type = warning.name;
  const message = typeof warning === 'string' ? warning : warning instanceof Error ? warning.message : '';
  return type === 'ExperimentalWarning' && SQLITE_WARNING.test(message);
}
