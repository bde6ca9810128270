import type { OpenOptions, SqliteConnection, SqliteDriverName, SqliteStatement } from './connection.js';
import { openConnection } from './driver.js';

/** One SQLite database, on whichever driver this Node uses; the only way the stores reach SQLite. */
export interface SqliteDatabase {
  readonly driver: SqliteDriverName;
  /** False once closed. */
  readonly open: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  /** `PRAGMA <text>`, e.g. `pragma('journal_mode = WAL')`; returns its rows. */
  pragma(text: string): unknown[];
  /**
   * Wraps `fn` so each call runs in a transaction: committed when `fn` returns, rolled back when
   * it throws (the error is rethrown). Calls inside another transaction use a savepoint.
   * `fn` must be synchronous.
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /** Idempotent. */
  close(): void;
}

/** Opens (creating unless read-only) the database file; `':memory:'` for a private in-memory one. */
export function openSqlite(file: string, options: OpenOptions = {}): SqliteDatabase {
  return new Database(openConnection(file, options));
}

class Database implements SqliteDatabase {
  readonly #conn: SqliteConnection;
  #open = true;
  #depth = 0;
  // Transaction control, prepared once like every other statement.
  readonly #begin: SqliteStatement;
  readonly #commit: SqliteStatement;
  readonly #rollback: SqliteStatement;
  readonly #savepoint: SqliteStatement;
  readonly #release: SqliteStatement;
  readonly #rollbackTo: SqliteStatement;

  constructor(conn: SqliteConnection) {
    this.#conn = conn;
    this.#begin = conn.prepare('BEGIN');
    this.#commit = conn.prepare('COMMIT');
    this.#rollback = conn.prepare('ROLLBACK');
    this.#savepoint = conn.prepare('SAVEPOINT periscope_nested');
    this.#release = conn.prepare('RELEASE periscope_nested');
    this.#rollbackTo = conn.prepare('ROLLBACK TO periscope_nested');
  }

  get driver(): SqliteDriverName {
    return this.#conn.driver;
  }

  get open(): boolean {
    return this.#open;
  }

  prepare(sql: string): SqliteStatement {
    return this.#conn.prepare(sql);
  }

  exec(sql: string): void {
    this.#conn.exec(sql);
  }

  pragma(text: string): unknown[] {
    return this.#conn.pragma(text);
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      const nested = this.#depth > 0;
      (nested ? this.#savepoint : this.#begin).run();
      this.#depth++;
      try {
        const result = fn(...args);
        (nested ? this.#release : this.#commit).run();
        return result;
      } catch (err) {
        this.#undo(nested);
        throw err;
      } finally {
        this.#depth--;
      }
    };
  }

  /** Rolls back after a failure, unless SQLite already did (some errors end the transaction). */
  #undo(nested: boolean): void {
    if (this.#conn.inTransaction === false) return;
    try {
      if (nested) {
        this.#rollbackTo.run();
        this.#release.run();
      } else {
        this.#rollback.run();
      }
    } catch {
      // Only reached when the driver cannot tell whether a transaction is open (node:sqlite
      // before 22.16) and SQLite had already rolled it back: there is nothing left to undo.
    }
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#conn.close();
  }
}
