export { openSqlite, type SqliteDatabase } from './sqlite-database.js';
export { sqliteDriver } from './driver.js';
export type { OpenOptions, RunResult, SqlParams, SqlValue, SqliteDriverName, SqliteStatement } from './connection.js';
