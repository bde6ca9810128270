import type { SqliteStatement } from './connection.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Statements for SQL built at run time (search filters), prepared once per distinct text. */
export class StatementCache {
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(private readonly db: SqliteDatabase) {}

  get(sql: string): SqliteStatement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }
}
