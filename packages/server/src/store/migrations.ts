/**
 * Versioned schema migrations. Append new entries; never edit or renumber an applied one.
 * Each runs once, inside a transaction, and is recorded in `schema_version`.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE services (
  name TEXT PRIMARY KEY,
  upload_symbols INTEGER NOT NULL DEFAULT 1,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);

CREATE TABLE instances (
  runtime_id TEXT PRIMARY KEY,
  service TEXT NOT NULL,
  env TEXT NOT NULL DEFAULT '',
  app_version TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  tracer_version TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL DEFAULT '',
  client_id TEXT,
  products TEXT NOT NULL DEFAULT '[]',
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE INDEX instances_by_service ON instances (service, last_seen);

-- One row per Remote Config client (one per process): what we last served it and what it reported.
CREATE TABLE rc_clients (
  client_id TEXT PRIMARY KEY,
  runtime_id TEXT NOT NULL,
  service TEXT NOT NULL,
  env TEXT NOT NULL DEFAULT '',
  products TEXT NOT NULL,
  served_version INTEGER NOT NULL,
  served_digest TEXT NOT NULL,
  config_states TEXT NOT NULL DEFAULT '[]',
  has_error INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  last_seen INTEGER NOT NULL
);
CREATE INDEX rc_clients_by_service ON rc_clients (service);

CREATE TABLE probes (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  service TEXT,
  env TEXT,
  spec TEXT NOT NULL,
  rc_file TEXT NOT NULL,
  rc_sha256 TEXT NOT NULL,
  rc_length INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE probe_statuses (
  probe_id TEXT NOT NULL,
  runtime_id TEXT NOT NULL,
  probe_version INTEGER NOT NULL,
  status TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  exception TEXT,
  service TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (probe_id, runtime_id)
);

CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  snapshot_id TEXT UNIQUE,
  probe_id TEXT NOT NULL,
  probe_version INTEGER NOT NULL,
  service TEXT NOT NULL,
  host TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  message TEXT NOT NULL DEFAULT '',
  timestamp INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX events_by_probe ON events (probe_id, timestamp);
CREATE INDEX events_by_service ON events (service, timestamp);
CREATE INDEX events_by_time ON events (timestamp);
CREATE INDEX events_by_received ON events (received_at);

-- One row per (service, version, file path, file content hash): the merged root scope.
CREATE TABLE symbol_files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  service TEXT NOT NULL,
  version TEXT NOT NULL,
  source_file TEXT NOT NULL,
  file_hash TEXT NOT NULL,
  language TEXT NOT NULL DEFAULT '',
  root TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  latest_in_service INTEGER NOT NULL DEFAULT 0,
  latest_in_version INTEGER NOT NULL DEFAULT 0,
  UNIQUE (service, version, source_file, file_hash)
);
CREATE INDEX symbol_files_by_path ON symbol_files (service, source_file, first_seen);

CREATE TABLE symbols (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  file_id INTEGER NOT NULL REFERENCES symbol_files (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  wire_type TEXT NOT NULL,
  name TEXT NOT NULL,
  name_lower TEXT NOT NULL,
  value_type TEXT,
  line INTEGER,
  start_line INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  scope_chain TEXT NOT NULL,
  injectible_lines TEXT NOT NULL
);
-- Covers name filters (prefix ranges and LIKE scans) without reading the wide rows.
CREATE INDEX symbols_by_name ON symbols (name_lower, file_id);
CREATE INDEX symbols_by_file ON symbols (file_id);

CREATE VIRTUAL TABLE symbols_fts USING fts5 (name, content = 'symbols', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER symbols_fts_insert AFTER INSERT ON symbols BEGIN
  INSERT INTO symbols_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER symbols_fts_delete AFTER DELETE ON symbols BEGIN
  INSERT INTO symbols_fts (symbols_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
`,
  },
];
