import type { StoredEvent } from '../store/event-store.js';

/** The public JSON shape of a stored event. */
export function eventView(e: StoredEvent): Record<string, unknown> {
  return {
    id: e.id,
    snapshotId: e.snapshotId,
    probeId: e.probeId,
    probeVersion: e.probeVersion,
    service: e.service,
    host: e.host,
    kind: e.kind,
    message: e.message,
    timestamp: e.timestamp,
    receivedAt: e.receivedAt,
    event: e.event,
  };
}
