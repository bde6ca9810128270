import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openSqlite, sqliteDriver, type SqliteDatabase } from '../../src/store/sqlite/index.js';

// Which driver this Node must use, from its version alone: node:sqlite is unflagged (with
// StatementSync#iterate) since 22.13 and 23.4.
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
const EXPECTED_DRIVER = major >= 24 || (major === 23 && minor >= 4) || (major === 22 && minor >= 13) ? 'node:sqlite' : 'better-sqlite3';
const INDEX = new URL('../../src/index.js', import.meta.url).href;
const SQLITE = new URL('../../src/store/sqlite/index.js', import.meta.url).href;
const NODE_SQLITE = new URL('../../src/store/sqlite/node-sqlite.js', import.meta.url).href;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'periscope-sqlite-'));
}

function withMemoryDb(fn: (db: SqliteDatabase) => void): void {
  const db = openSqlite(':memory:');
  try {
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
    fn(db);
  } finally {
    db.close();
  }
}

function names(db: SqliteDatabase): string[] {
  return (db.prepare('SELECT name FROM t ORDER BY id').all() as Array<{ name: string }>).map((r) => r.name);
}

describe('SQLite storage driver', () => {
  test(`uses ${EXPECTED_DRIVER} on Node ${process.versions.node}`, () => {
    assert.equal(sqliteDriver(), EXPECTED_DRIVER);
    withMemoryDb((db) => assert.equal(db.driver, EXPECTED_DRIVER));
  });

  test('the server database is in WAL mode with synchronous commits, migrated, with FTS5 trigram search', () => {
    const dir = tempDir();
    try {
      const db = openDatabase(dir);
      try {
        assert.deepEqual(db.pragma('journal_mode').map((r) => ({ ...(r as object) })), [{ journal_mode: 'wal' }]);
        assert.deepEqual(db.pragma('synchronous').map((r) => ({ ...(r as object) })), [{ synchronous: 2 }]); // FULL
        assert.deepEqual(db.pragma('foreign_keys').map((r) => ({ ...(r as object) })), [{ foreign_keys: 1 }]);
        const versions = (db.prepare('SELECT version FROM schema_version ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version);
        assert.deepEqual(versions, MIGRATIONS.map((m) => m.version));
        const file = db.prepare(
          "INSERT INTO symbol_files (service, version, source_file, file_hash, root, first_seen, last_seen) VALUES ('s', '1', 'a.ts', 'h', '{}', 0, 0) RETURNING id",
        ).get() as { id: number };
        const insert = db.prepare(
          "INSERT INTO symbols (file_id, kind, wire_type, name, name_lower, start_line, end_line, scope_chain, injectible_lines) VALUES (?, 'function', 'METHOD', ?, lower(?), 1, 2, '[]', '[]')",
        );
        for (const name of ['getUserName', 'setOrderTotal', 'userCount']) insert.run(file.id, name, name);
        const found = db.prepare("SELECT s.name FROM symbols_fts JOIN symbols s ON s.id = symbols_fts.rowid WHERE symbols_fts MATCH ? ORDER BY s.name").all('"serNa"');
        assert.deepEqual(found.map((r) => (r as { name: string }).name), ['getUserName']);
      } finally {
        db.close();
      }
      // Reopening applies nothing twice.
      const again = openDatabase(dir);
      assert.equal((again.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number }).n, MIGRATIONS.length);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('statements: positional and named parameters, run results, get, all, iterate', () => {
    withMemoryDb((db) => {
      const insert = db.prepare('INSERT INTO t (name) VALUES (@name)');
      assert.deepEqual({ ...insert.run({ name: 'a' }) }, { changes: 1, lastInsertRowid: 1 });
      insert.run({ name: 'b' });
      insert.run({ name: 'c' });
      assert.equal((db.prepare('SELECT name FROM t WHERE id = ?').get(2) as { name: string }).name, 'b');
      assert.equal(db.prepare('SELECT name FROM t WHERE id = ?').get(99), undefined);
      const seen: string[] = [];
      for (const row of db.prepare('SELECT name FROM t WHERE id >= ? ORDER BY id').iterate(2)) seen.push((row as { name: string }).name);
      assert.deepEqual(seen, ['b', 'c']);
      assert.equal(db.prepare('DELETE FROM t WHERE id > ?').run(1).changes, 2);
      assert.deepEqual(names(db), ['a']);
    });
  });

  test('transactions commit, roll back on a throw (rethrowing it), and nest as savepoints', () => {
    withMemoryDb((db) => {
      const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
      const add = db.transaction((...list: string[]) => {
        for (const name of list) insert.run(name);
        return list.length;
      });
      assert.equal(add('a', 'b'), 2);
      // The UNIQUE violation on the second 'c' undoes the first 'c' too.
      assert.throws(() => add('c', 'c'), /UNIQUE/);
      assert.deepEqual(names(db), ['a', 'b']);
      const boom = new Error('boom');
      const outer = db.transaction(() => {
        insert.run('d');
        assert.throws(
          db.transaction(() => {
            insert.run('e');
            throw boom;
          }),
          (err) => err === boom,
        );
        insert.run('f');
      });
      outer();
      assert.deepEqual(names(db), ['a', 'b', 'd', 'f']);
      // The connection is usable after all of that: no transaction was left open.
      add('g');
      assert.deepEqual(names(db), ['a', 'b', 'd', 'f', 'g']);
    });
  });

  test('close is idempotent and reported by `open`', () => {
    const db = openSqlite(':memory:');
    assert.equal(db.open, true);
    db.close();
    db.close();
    assert.equal(db.open, false);
    assert.throws(() => db.prepare('SELECT 1'));
  });

  test('only the ExperimentalWarning of node:sqlite is filtered, and only while it loads', () => {
    // In a child, to see what reaches stderr (and to keep the warnings out of this test's output).
    const script = `
      const { withoutSqliteExperimentalWarning } = await import(${JSON.stringify(NODE_SQLITE)});
      const seen = [];
      process.on('warning', (w) => seen.push(w.name + ': ' + w.message));
      const sqlite = 'SQLite is an experimental feature and might change at any time';
      const value = withoutSqliteExperimentalWarning(() => {
        process.emitWarning(sqlite, 'ExperimentalWarning');
        process.emitWarning(sqlite, { type: 'ExperimentalWarning' });
        process.emitWarning('Fetch is an experimental feature', 'ExperimentalWarning');
        process.emitWarning('SQLite is an experimental feature, says someone else', 'DeprecationWarning');
        return 42;
      });
      process.emitWarning(sqlite, 'ExperimentalWarning');
      setImmediate(() => process.stdout.write(JSON.stringify({ value, seen })));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      value: 42,
      seen: [
        'ExperimentalWarning: Fetch is an experimental feature',
        'DeprecationWarning: SQLite is an experimental feature, says someone else',
        'ExperimentalWarning: SQLite is an experimental feature and might change at any time',
      ],
    });
    assert.equal(r.stderr.split('SQLite is an experimental feature and might change').length - 1, 1, r.stderr);
    assert.match(r.stderr, /Fetch is an experimental feature/);
  });

  test('a server process exits by itself after close(), silently, loading better-sqlite3 only where it is the driver', () => {
    const dataDir = tempDir();
    try {
      const script = `
        const { startServer } = await import(${JSON.stringify(INDEX)});
        const { sqliteDriver } = await import(${JSON.stringify(SQLITE)});
        const server = await startServer({ port: 0, dataDir: ${JSON.stringify(dataDir)}, dslCompiler: null });
        await server.close();
        const addons = process.report.getReport().sharedObjects.filter((p) => p.endsWith('.node'));
        process.stdout.write(JSON.stringify({ driver: sqliteDriver(), betterSqlite3: addons.some((p) => p.includes('better_sqlite3')) }));
      `;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.signal, null);
      assert.equal(r.stderr, '');
      assert.deepEqual(JSON.parse(r.stdout), { driver: EXPECTED_DRIVER, betterSqlite3: EXPECTED_DRIVER === 'better-sqlite3' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
