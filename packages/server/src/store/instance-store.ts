import type { SqliteDatabase } from './database.js';

/** A running tracer process, identified by its runtime id. */
export interface Instance {
  runtimeId: string;
  service: string;
  env: string;
  appVersion: string;
  language: string;
  tracerVersion: string;
  host: string;
  clientId: string | null;
  products: string[];
  firstSeen: number;
  lastSeen: number;
}

export interface ServiceInfo {
  name: string;
  uploadSymbols: boolean;
  instances: number;
  firstSeen: number;
  lastSeen: number;
}

interface InstanceRow {
  runtime_id: string;
  service: string;
  env: string;
  app_version: string;
  language: string;
  tracer_version: string;
  host: string;
  client_id: string | null;
  products: string;
  first_seen: number;
  last_seen: number;
}

function toInstance(row: InstanceRow): Instance {
  return {
    runtimeId: row.runtime_id,
    service: row.service,
    env: row.env,
    appVersion: row.app_version,
    language: row.language,
    tracerVersion: row.tracer_version,
    host: row.host,
    clientId: row.client_id,
    products: JSON.parse(row.products) as string[],
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
  };
}

/** Services and their instances, as seen through Remote Config polls and intake. */
export class InstanceStore {
  readonly #upsertInstance;
  readonly #touchService;
  readonly #setUpload;
  readonly #getUpload;
  readonly #listInstances;
  readonly #listInstancesByService;
  readonly #getInstance;
  readonly #listServices;
  readonly #setHost;
  readonly #pruneStatuses;
  readonly #pruneInstances;
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#upsertInstance = db.prepare(
      `INSERT INTO instances (runtime_id, service, env, app_version, language, tracer_version, host, client_id, products, first_seen, last_seen)
       VALUES (@runtime_id, @service, @env, @app_version, @language, @tracer_version, @host, @client_id, @products, @now, @now)
       ON CONFLICT (runtime_id) DO UPDATE SET service = excluded.service, env = excluded.env, app_version = excluded.app_version,
       language = excluded.language, tracer_version = excluded.tracer_version,
       host = CASE WHEN excluded.host != '' THEN excluded.host ELSE instances.host END,
       client_id = excluded.client_id, products = excluded.products, last_seen = excluded.last_seen`,
    );
    this.#touchService = db.prepare(
      `INSERT INTO services (name, first_seen, last_seen) VALUES (@name, @now, @now)
       ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen`,
    );
    this.#setUpload = db.prepare(
      `INSERT INTO services (name, upload_symbols, first_seen, last_seen) VALUES (@name, @upload, @now, @now)
       ON CONFLICT (name) DO UPDATE SET upload_symbols = excluded.upload_symbols`,
    );
    this.#getUpload = db.prepare('SELECT upload_symbols FROM services WHERE name = ?');
    this.#listInstances = db.prepare('SELECT * FROM instances ORDER BY service, last_seen DESC');
    this.#listInstancesByService = db.prepare('SELECT * FROM instances WHERE service = ? ORDER BY last_seen DESC');
    this.#getInstance = db.prepare('SELECT * FROM instances WHERE runtime_id = ?');
    this.#listServices = db.prepare(
      `SELECT s.name, s.upload_symbols, s.first_seen, s.last_seen,
       (SELECT COUNT(*) FROM instances i WHERE i.service = s.name) AS instances FROM services s ORDER BY s.name`,
    );
    this.#setHost = db.prepare("UPDATE instances SET host = ? WHERE runtime_id = ? AND host = ''");
    // A forgotten instance's probe statuses go with it; statuses of runtimes never seen through
    // Remote Config stay (their updated_at only moves when the status changes).
    this.#pruneStatuses = db.prepare('DELETE FROM probe_statuses WHERE runtime_id IN (SELECT runtime_id FROM instances WHERE last_seen < ?)');
    this.#pruneInstances = db.prepare('DELETE FROM instances WHERE last_seen < ?');
  }

  /** Forgets instances not seen for `maxAgeMs`, with their probe statuses; returns how many. */
  prune(maxAgeMs: number, now = Date.now()): number {
    return this.#db.transaction(() => {
      this.#pruneStatuses.run(now - maxAgeMs);
      return this.#pruneInstances.run(now - maxAgeMs).changes;
    })();
  }

  upsert(instance: Omit<Instance, 'firstSeen' | 'lastSeen'>, now = Date.now()): void {
    this.touchService(instance.service, now);
    this.#upsertInstance.run({
      runtime_id: instance.runtimeId,
      service: instance.service,
      env: instance.env,
      app_version: instance.appVersion,
      language: instance.language,
      tracer_version: instance.tracerVersion,
      host: instance.host,
      client_id: instance.clientId,
      products: JSON.stringify(instance.products),
      now,
    });
  }

  /**
   * Fills in the host of an instance known without one: RC polls carry it only as a `host:` tag,
   * diagnostics may name it. An instance not yet polled has no row, and the host waits for the next report.
   */
  noteHost(runtimeId: string, host: string): void {
    if (host) this.#setHost.run(host, runtimeId);
  }

  touchService(name: string, now = Date.now()): void {
    if (name) this.#touchService.run({ name, now });
  }

  get(runtimeId: string): Instance | null {
    const row = this.#getInstance.get(runtimeId) as InstanceRow | undefined;
    return row ? toInstance(row) : null;
  }

  list(service?: string): Instance[] {
    const rows = (service === undefined ? this.#listInstances.all() : this.#listInstancesByService.all(service)) as InstanceRow[];
    return rows.map(toInstance);
  }

  services(): ServiceInfo[] {
    return (this.#listServices.all() as Array<{ name: string; upload_symbols: number; first_seen: number; last_seen: number; instances: number }>).map(
      (r) => ({ name: r.name, uploadSymbols: r.upload_symbols === 1, instances: r.instances, firstSeen: r.first_seen, lastSeen: r.last_seen }),
    );
  }

  /** Whether clients of this service are told to upload symbols (default on). */
  uploadSymbols(service: string): boolean {
    const row = this.#getUpload.get(service) as { upload_symbols: number } | undefined;
    return row === undefined ? true : row.upload_symbols === 1;
  }

  setUploadSymbols(service: string, upload: boolean, now = Date.now()): void {
    this.#setUpload.run({ name: service, upload: upload ? 1 : 0, now });
  }
}
