import type BetterSqlite3 from 'better-sqlite3';
import { loadBetterSqlite3, openBetterSqlite3 } from './better-sqlite3.js';
import type { OpenOptions, SqliteConnection, SqliteDriverName } from './connection.js';
import { loadNodeSqlite, openNodeSqlite, type NodeSqliteModule } from './node-sqlite.js';

type Driver = { name: 'node:sqlite'; sqlite: NodeSqliteModule } | { name: 'better-sqlite3'; Database: typeof BetterSqlite3 };

let chosen: Driver | undefined;

/** node:sqlite when this Node has it, else better-sqlite3. Decided once per process. */
function driver(): Driver {
  if (chosen) return chosen;
  const sqlite = loadNodeSqlite();
  if (sqlite) return (chosen = { name: 'node:sqlite', sqlite });
  try {
    return (chosen = { name: 'better-sqlite3', Database: loadBetterSqlite3() });
  } catch (err) {
    throw new Error(
      `no SQLite driver for Node ${process.version}: node:sqlite needs Node >= 22.13, and better-sqlite3 did not load (${(err as Error).message})`,
      { cause: err },
    );
  }
}

/** The driver this process stores data with; loads it (and only it) on first use. */
export function sqliteDriver(): SqliteDriverName {
  return driver().name;
}

export function openConnection(file: string, options: OpenOptions): SqliteConnection {
  const d = driver();
  return d.name === 'node:sqlite' ? openNodeSqlite(d.sqlite, file, options) : openBetterSqlite3(d.Database, file, options);
}
