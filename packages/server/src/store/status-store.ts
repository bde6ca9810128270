import type { SqliteDatabase } from './database.js';

export type ProbeStatusName = 'RECEIVED' | 'INSTALLED' | 'EMITTING' | 'ERROR' | 'BLOCKED';

export interface ProbeStatusRecord {
  probeId: string;
  runtimeId: string;
  probeVersion: number;
  status: ProbeStatusName;
  message: string;
  exception: { type?: string; message?: string; stacktrace?: unknown } | null;
  service: string;
  updatedAt: number;
}

interface StatusRow {
  probe_id: string;
  runtime_id: string;
  probe_version: number;
  status: ProbeStatusName;
  message: string;
  exception: string | null;
  service: string;
  updated_at: number;
}

/**
 * Whether `incoming` may replace `current` for the same probe version. Follows the system-tests
 * aggregator (shared/reference/diagnostics.md §4) with one addition the brief asks for: ERROR
 * (or BLOCKED) replaces RECEIVED and INSTALLED, because a probe can fail after installing.
 * EMITTING is final for its version. A newer version always replaces; an older never does.
 */
export function acceptsStatus(current: { probeVersion: number; status: ProbeStatusName } | null, incoming: { probeVersion: number; status: ProbeStatusName }): boolean {
  if (!current) return true;
  if (incoming.probeVersion !== current.probeVersion) return incoming.probeVersion > current.probeVersion;
  switch (current.status) {
    case 'RECEIVED':
      return true;
    case 'INSTALLED':
      return incoming.status !== 'RECEIVED';
    case 'ERROR':
    case 'BLOCKED':
      return incoming.status === 'ERROR' || incoming.status === 'BLOCKED' || incoming.status === 'EMITTING';
    case 'EMITTING':
      return false;
  }
}

function toRecord(row: StatusRow): ProbeStatusRecord {
  return {
    probeId: row.probe_id,
    runtimeId: row.runtime_id,
    probeVersion: row.probe_version,
    status: row.status,
    message: row.message,
    exception: row.exception === null ? null : (JSON.parse(row.exception) as ProbeStatusRecord['exception']),
    service: row.service,
    updatedAt: row.updated_at,
  };
}

/** Per-probe, per-instance status: one row per (probe, runtime) holding the current state. */
export class StatusStore {
  readonly #get;
  readonly #upsert;
  readonly #byProbe;
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#get = db.prepare('SELECT * FROM probe_statuses WHERE probe_id = ? AND runtime_id = ?');
    this.#upsert = db.prepare(
      `INSERT INTO probe_statuses (probe_id, runtime_id, probe_version, status, message, exception, service, updated_at)
       VALUES (@probe_id, @runtime_id, @probe_version, @status, @message, @exception, @service, @updated_at)
       ON CONFLICT (probe_id, runtime_id) DO UPDATE SET probe_version = excluded.probe_version, status = excluded.status,
       message = excluded.message, exception = excluded.exception, service = excluded.service, updated_at = excluded.updated_at`,
    );
    this.#byProbe = db.prepare('SELECT * FROM probe_statuses WHERE probe_id = ? ORDER BY runtime_id');
  }

  /** Applies a batch of statuses in one transaction; returns how many changed the stored state. */
  record(items: readonly Omit<ProbeStatusRecord, 'updatedAt'>[], now = Date.now()): number {
    return this.#db.transaction(() => {
      let changed = 0;
      for (const item of items) {
        const row = this.#get.get(item.probeId, item.runtimeId) as StatusRow | undefined;
        const current = row ? { probeVersion: row.probe_version, status: row.status } : null;
        if (!acceptsStatus(current, item)) continue;
        this.#upsert.run({
          probe_id: item.probeId,
          runtime_id: item.runtimeId,
          probe_version: item.probeVersion,
          status: item.status,
          message: item.message,
          exception: item.exception ? JSON.stringify(item.exception) : null,
          service: item.service,
          updated_at: now,
        });
        changed++;
      }
      return changed;
    })();
  }

  forProbe(probeId: string): ProbeStatusRecord[] {
    return (this.#byProbe.all(probeId) as StatusRow[]).map(toRecord);
  }
}
