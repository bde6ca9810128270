/** The storage drivers the server can run on; which one is chosen depends on the Node version. */
export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

/** A value SQLite stores and binds. `undefined` and booleans are not values: pass `null` / `0 | 1`. */
export type SqlValue = null | number | bigint | string | Uint8Array;

/**
 * Positional values for `?`, or one object of named values for `@name` (keys without the `@`).
 * Pass exactly the names the statement uses: node:sqlite rejects unknown names, better-sqlite3
 * rejects missing ones.
 */
export type SqlParams = SqlValue[] | [Readonly<Record<string, SqlValue>>];

export interface RunResult {
  /** A number: BigInt reading is never turned on. */
  changes: number;
  lastInsertRowid: number | bigint;
}

/**
 * A prepared statement. Rows are objects keyed by column name (node:sqlite gives them a null
 * prototype, better-sqlite3 a plain one: map them, do not compare them as they are).
 */
export interface SqliteStatement {
  run(...params: SqlParams): RunResult;
  /** The first row, or `undefined`. */
  get(...params: SqlParams): unknown;
  all(...params: SqlParams): unknown[];
  /** Rows one at a time; the statement is busy until the iteration ends. */
  iterate(...params: SqlParams): IterableIterator<unknown>;
}

export interface OpenOptions {
  readonly?: boolean;
}

/** What each driver provides; everything above it (transactions, migrations, stores) is shared. */
export interface SqliteConnection {
  readonly driver: SqliteDriverName;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  /** `PRAGMA <text>`; returns its rows (none for most assignments). */
  pragma(text: string): unknown[];
  /** Whether a transaction is open, or `undefined` when this driver version cannot tell. */
  readonly inTransaction: boolean | undefined;
  close(): void;
}
