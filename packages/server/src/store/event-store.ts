import type { SqliteDatabase } from './database.js';
import type { SqlValue } from './sqlite/index.js';
import { StatementCache } from './sqlite/statement-cache.js';

/** A stored probe event: a snapshot (with captures) or a dynamic log line. */
export interface StoredEvent {
  id: number;
  snapshotId: string | null;
  probeId: string;
  probeVersion: number;
  service: string;
  host: string;
  kind: 'snapshot' | 'log';
  message: string;
  /** Event time (ms since the epoch), from the tracer. */
  timestamp: number;
  receivedAt: number;
  /** The event exactly as the tracer sent it. */
  event: Record<string, unknown>;
}

export type NewEvent = Omit<StoredEvent, 'id' | 'receivedAt'>;

export interface EventQuery {
  probeId?: string;
  service?: string;
  kind?: 'snapshot' | 'log';
  /** Inclusive lower bound on `timestamp`. */
  since?: number;
  /** Exclusive upper bound on `timestamp`. */
  until?: number;
  limit: number;
}

export interface RetentionPolicy {
  /** Events received longer ago than this are deleted. */
  maxAgeMs: number;
  /** At most this many events are kept; the oldest go first. */
  maxEvents: number;
  /** Instances and Remote Config clients not seen for longer than this are forgotten. */
  instanceMaxAgeMs: number;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;
export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({ maxAgeMs: WEEK_MS, maxEvents: 100_000, instanceMaxAgeMs: WEEK_MS });

interface EventRow {
  id: number;
  snapshot_id: string | null;
  probe_id: string;
  probe_version: number;
  service: string;
  host: string;
  kind: 'snapshot' | 'log';
  message: string;
  timestamp: number;
  received_at: number;
  body: string;
}

function toEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    snapshotId: row.snapshot_id,
    probeId: row.probe_id,
    probeVersion: row.probe_version,
    service: row.service,
    host: row.host,
    kind: row.kind,
    message: row.message,
    timestamp: row.timestamp,
    receivedAt: row.received_at,
    event: JSON.parse(row.body) as Record<string, unknown>,
  };
}

export class EventStore {
  readonly #insert;
  readonly #getById;
  readonly #pruneAge;
  readonly #pruneCount;
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    // A re-sent snapshot (same id) is stored once.
    this.#insert = db.prepare(
      `INSERT INTO events (snapshot_id, probe_id, probe_version, service, host, kind, message, timestamp, received_at, body)
       VALUES (@snapshot_id, @probe_id, @probe_version, @service, @host, @kind, @message, @timestamp, @received_at, @body)
       ON CONFLICT (snapshot_id) DO NOTHING RETURNING id`,
    );
    this.#getById = db.prepare('SELECT * FROM events WHERE id = ?');
    this.#pruneAge = db.prepare('DELETE FROM events WHERE received_at < ?');
    this.#pruneCount = db.prepare('DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)');
  }

  /** Stores a batch in one transaction; returns the newly stored events (duplicates skipped). */
  insert(events: readonly NewEvent[], now = Date.now()): StoredEvent[] {
    return this.#db.transaction(() => {
      const stored: StoredEvent[] = [];
      for (const e of events) {
        const row = this.#insert.get({
          snapshot_id: e.snapshotId,
          probe_id: e.probeId,
          probe_version: e.probeVersion,
          service: e.service,
          host: e.host,
          kind: e.kind,
          message: e.message,
          timestamp: e.timestamp,
          received_at: now,
          body: JSON.stringify(e.event),
        }) as { id: number } | undefined;
        if (row) stored.push({ ...e, id: row.id, receivedAt: now });
      }
      return stored;
    })();
  }

  get(id: number): StoredEvent | null {
    const row = this.#getById.get(id) as EventRow | undefined;
    return row ? toEvent(row) : null;
  }

  /** Newest first. */
  query(q: EventQuery): StoredEvent[] {
    const where: string[] = [];
    const params: Record<string, SqlValue> = { limit: q.limit };
    if (q.probeId !== undefined) {
      where.push('probe_id = @probeId');
      params['probeId'] = q.probeId;
    }
    if (q.service !== undefined) {
      where.push('service = @service');
      params['service'] = q.service;
    }
    if (q.kind !== undefined) {
      where.push('kind = @kind');
      params['kind'] = q.kind;
    }
    if (q.since !== undefined) {
      where.push('timestamp >= @since');
      params['since'] = q.since;
    }
    if (q.until !== undefined) {
      where.push('timestamp < @until');
      params['until'] = q.until;
    }
    // Only a handful of filter combinations exist: each statement text is prepared once and cached.
    const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY timestamp DESC, id DESC LIMIT @limit`;
    return (this.#statement(sql).all(params) as EventRow[]).map(toEvent);
  }

  /** Applies the retention policy; returns how many events were deleted. */
  prune(policy: Pick<RetentionPolicy, 'maxAgeMs' | 'maxEvents'>, now = Date.now()): number {
    return this.#db.transaction(() => {
      let deleted = this.#pruneAge.run(now - policy.maxAgeMs).changes;
      deleted += this.#pruneCount.run(policy.maxEvents).changes;
      return deleted;
    })();
  }

  /** Run-time SQL (filters), prepared once per distinct text. */
  #dynamic: StatementCache | undefined;
  #statement(sql: string) {
    this.#dynamic ??= new StatementCache(this.#db);
    return this.#dynamic.get(sql);
  }
}
