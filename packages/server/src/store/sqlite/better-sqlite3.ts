import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { OpenOptions, SqliteConnection } from './connection.js';

/**
 * better-sqlite3, for Nodes without node:sqlite (Node 20). Required lazily, only when chosen:
 * the native addon must never be loaded on a Node that has node:sqlite (built for another ABI it
 * fails to load, and rebuilt for Node 24 it crashes at process teardown).
 */
export function loadBetterSqlite3(): typeof BetterSqlite3 {
  return createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
}

export function openBetterSqlite3(Database: typeof BetterSqlite3, file: string, options: OpenOptions): SqliteConnection {
  const db = new Database(file, { readonly: options.readonly === true });
  return {
    driver: 'better-sqlite3',
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => void db.exec(sql),
    // Its own pragma(): a prepared assignment pragma returns no data, which all() refuses.
    pragma: (text) => db.pragma(text) as unknown[],
    get inTransaction() {
      return db.inTransaction;
    },
    close: () => void db.close(),
  };
}
