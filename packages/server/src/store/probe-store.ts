import { createHash, randomUUID } from 'node:crypto';
import type { ProbeSpec } from '../probes/probe-spec.js';
import type { SqliteDatabase } from './database.js';

/** A probe as stored: the user's spec and the exact RC file bytes served to tracers. */
export interface StoredProbe {
  id: string;
  version: number;
  type: string;
  service: string | null;
  env: string | null;
  spec: ProbeSpec;
  probeJson: Record<string, unknown>;
  /** The RC file content; `rcSha256`/`rcLength` describe exactly these UTF-8 bytes. */
  rcFile: string;
  rcSha256: string;
  rcLength: number;
  createdAt: number;
  updatedAt: number;
}

// A type (not an interface) so that it binds as named parameters.
type ProbeRow = {
  id: string;
  version: number;
  type: string;
  service: string | null;
  env: string | null;
  spec: string;
  rc_file: string;
  rc_sha256: string;
  rc_length: number;
  created_at: number;
  updated_at: number;
};

/** Builds the wire probe for an id and version; throws (a 400) when the spec is invalid. */
export type ProbeBuilder = (id: string, version: number, spec: ProbeSpec) => Record<string, unknown>;

function toStored(row: ProbeRow): StoredProbe {
  return {
    id: row.id,
    version: row.version,
    type: row.type,
    service: row.service,
    env: row.env,
    spec: JSON.parse(row.spec) as ProbeSpec,
    probeJson: JSON.parse(row.rc_file) as Record<string, unknown>,
    rcFile: row.rc_file,
    rcSha256: row.rc_sha256,
    rcLength: row.rc_length,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class ProbeStore {
  readonly #insert;
  readonly #update;
  readonly #delete;
  readonly #deleteStatuses;
  readonly #get;
  readonly #listAll;
  readonly #listByService;
  readonly #forClient;
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO probes (id, version, type, service, env, spec, rc_file, rc_sha256, rc_length, created_at, updated_at)
       VALUES (@id, @version, @type, @service, @env, @spec, @rc_file, @rc_sha256, @rc_length, @created_at, @updated_at)`,
    );
    this.#update = db.prepare(
      `UPDATE probes SET version = @version, type = @type, service = @service, env = @env, spec = @spec, rc_file = @rc_file,
       rc_sha256 = @rc_sha256, rc_length = @rc_length, updated_at = @updated_at WHERE id = @id`,
    );
    this.#delete = db.prepare('DELETE FROM probes WHERE id = ?');
    this.#deleteStatuses = db.prepare('DELETE FROM probe_statuses WHERE probe_id = ?');
    this.#get = db.prepare('SELECT * FROM probes WHERE id = ?');
    this.#listAll = db.prepare('SELECT * FROM probes ORDER BY created_at, id');
    this.#listByService = db.prepare('SELECT * FROM probes WHERE service IS NULL OR service = ? ORDER BY created_at, id');
    this.#forClient = db.prepare(
      'SELECT * FROM probes WHERE (service IS NULL OR service = ?) AND (env IS NULL OR env = ?) ORDER BY id',
    );
  }

  create(spec: ProbeSpec, build: ProbeBuilder, now = Date.now()): StoredProbe {
    const id = randomUUID();
    const row = this.#row(id, 1, spec, build(id, 1, spec), now, now);
    this.#insert.run(row);
    return toStored(row);
  }

  /** Replaces the spec with `spec` and bumps the version. Returns null when the probe does not exist. */
  update(id: string, spec: ProbeSpec, build: ProbeBuilder, now = Date.now()): StoredProbe | null {
    return this.#db.transaction(() => {
      const current = this.#get.get(id) as ProbeRow | undefined;
      if (!current) return null;
      const version = current.version + 1;
      const row = this.#row(id, version, spec, build(id, version, spec), current.created_at, now);
      const { created_at: _unchanged, ...fields } = row; // exactly the statement's parameters
      this.#update.run(fields);
      return toStored(row);
    })();
  }

  delete(id: string): boolean {
    return this.#db.transaction(() => {
      this.#deleteStatuses.run(id);
      return this.#delete.run(id).changes > 0;
    })();
  }

  get(id: string): StoredProbe | null {
    const row = this.#get.get(id) as ProbeRow | undefined;
    return row ? toStored(row) : null;
  }

  list(service?: string): StoredProbe[] {
    const rows = (service === undefined ? this.#listAll.all() : this.#listByService.all(service)) as ProbeRow[];
    return rows.map(toStored);
  }

  /** Probes that target this service, and this env when the probe names one. */
  forClient(service: string, env: string): StoredProbe[] {
    return (this.#forClient.all(service, env) as ProbeRow[]).map(toStored);
  }

  #row(id: string, version: number, spec: ProbeSpec, probeJson: Record<string, unknown>, createdAt: number, now: number): ProbeRow {
    const rcFile = JSON.stringify(probeJson);
    const bytes = Buffer.from(rcFile, 'utf8');
    return {
      id,
      version,
      type: String(probeJson['type']),
      service: spec.service ?? null,
      env: spec.env ?? null,
      spec: JSON.stringify(spec),
      rc_file: rcFile,
      rc_sha256: createHash('sha256').update(bytes).digest('hex'),
      rc_length: bytes.length,
      created_at: createdAt,
      updated_at: now,
    };
  }
}
