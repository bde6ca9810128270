import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations.js';
import { openSqlite, type SqliteDatabase } from './sqlite/index.js';

export type { SqliteDatabase } from './sqlite/index.js';

/** The database file inside the data directory; nothing else is ever opened by name. */
export const DATABASE_FILE = 'periscope.sqlite';

/**
 * Opens (creating if needed) the server database in `dataDir`, in WAL mode with synchronous
 * commits, and applies every migration not yet recorded in `schema_version`.
 *
 * `synchronous = FULL` makes each commit durable before the driver returns, so a 2xx sent
 * after a write means the write survives a crash or restart.
 */
export function openDatabase(dataDir: string): SqliteDatabase {
  mkdirSync(dataDir, { recursive: true });
  const db = openSqlite(join(dataDir, DATABASE_FILE));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Applies pending migrations, each in its own transaction, each exactly once. */
export function migrate(db: SqliteDatabase): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_version').all() as Array<{ version: number }>).map((r) => r.version));
  const record = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, Date.now());
    })();
  }
}
