import type { SqliteDatabase } from './database.js';

/** One `config_states` entry as a client reported it. */
export interface ConfigState {
  id: string;
  version: number;
  product: string;
  applyState: number;
  applyError: string;
}

/** What the server last served a Remote Config client, and what that client last reported. */
export interface RcClientState {
  clientId: string;
  runtimeId: string;
  service: string;
  env: string;
  products: string[];
  servedVersion: number;
  servedDigest: string;
  configStates: ConfigState[];
  hasError: boolean;
  error: string;
  lastSeen: number;
}

interface RcClientRow {
  client_id: string;
  runtime_id: string;
  service: string;
  env: string;
  products: string;
  served_version: number;
  served_digest: string;
  config_states: string;
  has_error: number;
  error: string;
  last_seen: number;
}

function toState(row: RcClientRow): RcClientState {
  return {
    clientId: row.client_id,
    runtimeId: row.runtime_id,
    service: row.service,
    env: row.env,
    products: JSON.parse(row.products) as string[],
    servedVersion: row.served_version,
    servedDigest: row.served_digest,
    configStates: JSON.parse(row.config_states) as ConfigState[],
    hasError: row.has_error === 1,
    error: row.error,
    lastSeen: row.last_seen,
  };
}

export class RcClientStore {
  readonly #get;
  readonly #save;
  readonly #byService;
  readonly #prune;
  readonly #all;

  constructor(db: SqliteDatabase) {
    this.#get = db.prepare('SELECT * FROM rc_clients WHERE client_id = ?');
    this.#save = db.prepare(
      `INSERT INTO rc_clients (client_id, runtime_id, service, env, products, served_version, served_digest, config_states, has_error, error, last_seen)
       VALUES (@client_id, @runtime_id, @service, @env, @products, @served_version, @served_digest, @config_states, @has_error, @error, @last_seen)
       ON CONFLICT (client_id) DO UPDATE SET runtime_id = excluded.runtime_id, service = excluded.service, env = excluded.env,
       products = excluded.products, served_version = excluded.served_version, served_digest = excluded.served_digest,
       config_states = excluded.config_states, has_error = excluded.has_error, error = excluded.error, last_seen = excluded.last_seen`,
    );
    this.#byService = db.prepare('SELECT * FROM rc_clients WHERE service = ?');
    this.#all = db.prepare('SELECT * FROM rc_clients ORDER BY service, last_seen DESC');
    this.#prune = db.prepare('DELETE FROM rc_clients WHERE last_seen < ?');
  }

  get(clientId: string): RcClientState | null {
    const row = this.#get.get(clientId) as RcClientRow | undefined;
    return row ? toState(row) : null;
  }

  /** Forgets clients not seen for `maxAgeMs` (a client that comes back is served from scratch); returns how many. */
  prune(maxAgeMs: number, now = Date.now()): number {
    return this.#prune.run(now - maxAgeMs).changes;
  }

  forService(service: string): RcClientState[] {
    return (this.#byService.all(service) as RcClientRow[]).map(toState);
  }

  all(): RcClientState[] {
    return (this.#all.all() as RcClientRow[]).map(toState);
  }

  save(state: RcClientState): void {
    this.#save.run({
      client_id: state.clientId,
      runtime_id: state.runtimeId,
      service: state.service,
      env: state.env,
      products: JSON.stringify(state.products),
      served_version: state.servedVersion,
      served_digest: state.servedDigest,
      config_states: JSON.stringify(state.configStates),
      has_error: state.hasError ? 1 : 0,
      error: state.error,
      last_seen: state.lastSeen,
    });
  }
}
