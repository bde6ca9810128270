import type { NewEvent } from '../store/event-store.js';
import type { ProbeStatusName, ProbeStatusRecord } from '../store/status-store.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const STATUSES = new Set<ProbeStatusName>(['RECEIVED', 'INSTALLED', 'EMITTING', 'ERROR', 'BLOCKED']);

/** Parses the `ddtags` query value (`env:prod,host_name:web-1,…`). */
export function parseDdtags(value: unknown): Map<string, string> {
  const tags = new Map<string, string>();
  if (typeof value !== 'string') return tags;
  for (const part of value.split(',')) {
    const i = part.indexOf(':');
    if (i > 0) tags.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return tags;
}

/** The result of sorting one intake batch into what can be stored and what cannot. */
export interface IntakeBatch {
  events: NewEvent[];
  statuses: Array<Omit<ProbeStatusRecord, 'updatedAt'>>;
  /** One message per rejected item, e.g. `item 3: debugger.snapshot.probe.id is missing`. */
  rejected: string[];
  /**
   * Runtime id → host name, from diagnostics that name both (the item's `hostname`/`host`, or the
   * request's `ddtags`). Probe events name a host but no runtime id, so they cannot say whose it is.
   */
  hosts: Map<string, string>;
}

function hostOf(item: Json, ddtags: Map<string, string>): string | undefined {
  return [item['hostname'], item['host'], ddtags.get('host_name'), ddtags.get('hostname'), ddtags.get('host')].find(
    (h): h is string => typeof h === 'string' && h !== '',
  );
}

/**
 * Sorts a JSON array from `/debugger/v{1,2}/input` or `/debugger/v1/diagnostics` into probe
 * events (snapshots and logs, including the older flat `"debugger.snapshot"` key) and
 * diagnostics statuses. Items that are neither are rejected with a reason; the rest are kept.
 */
export function sortIntakeItems(items: readonly unknown[], ddtags: Map<string, string>, now = Date.now()): IntakeBatch {
  const batch: IntakeBatch = { events: [], statuses: [], rejected: [], hosts: new Map() };
  items.forEach((item, index) => {
    if (!isObject(item)) {
      batch.rejected.push(`item ${index}: not a JSON object`);
      return;
    }
    const dbg = isObject(item['debugger']) ? item['debugger'] : null;
    const diagnostics = dbg && isObject(dbg['diagnostics']) ? dbg['diagnostics'] : null;
    if (diagnostics) {
      const status = diagnostics['status'];
      if (typeof diagnostics['probeId'] !== 'string' || diagnostics['probeId'] === '') {
        batch.rejected.push(`item ${index}: debugger.diagnostics.probeId is missing`);
      } else if (typeof diagnostics['runtimeId'] !== 'string' || diagnostics['runtimeId'] === '') {
        batch.rejected.push(`item ${index}: debugger.diagnostics.runtimeId is missing`);
      } else if (typeof status !== 'string' || !STATUSES.has(status as ProbeStatusName)) {
        batch.rejected.push(`item ${index}: debugger.diagnostics.status ${JSON.stringify(status)} is not one of ${[...STATUSES].join(', ')}`);
      } else {
        const version = diagnostics['probeVersion'];
        const exception = diagnostics['exception'];
        batch.statuses.push({
          probeId: diagnostics['probeId'],
          runtimeId: diagnostics['runtimeId'],
          probeVersion: typeof version === 'number' && Number.isFinite(version) ? version : 0,
          status: status as ProbeStatusName,
          message: typeof item['message'] === 'string' ? item['message'] : '',
          exception: isObject(exception) ? (exception as ProbeStatusRecord['exception']) : null,
          service: typeof item['service'] === 'string' ? item['service'] : '',
        });
        const host = hostOf(item, ddtags);
        if (host !== undefined) batch.hosts.set(diagnostics['runtimeId'], host);
      }
      return;
    }
    const snapshot = dbg && isObject(dbg['snapshot']) ? dbg['snapshot'] : isObject(item['debugger.snapshot']) ? item['debugger.snapshot'] : null;
    if (!snapshot) {
      batch.rejected.push(`item ${index}: has neither debugger.snapshot nor debugger.diagnostics`);
      return;
    }
    const probe = isObject(snapshot['probe']) ? snapshot['probe'] : null;
    if (!probe || typeof probe['id'] !== 'string' || probe['id'] === '') {
      batch.rejected.push(`item ${index}: debugger.snapshot.probe.id is missing`);
      return;
    }
    const captures = snapshot['captures'];
    const hasCaptures = isObject(captures) && Object.keys(captures).length > 0;
    const timestamp = [item['timestamp'], snapshot['timestamp']].find((t): t is number => typeof t === 'number' && Number.isFinite(t));
    const host = hostOf(item, ddtags);
    batch.events.push({
      snapshotId: typeof snapshot['id'] === 'string' && snapshot['id'] !== '' ? snapshot['id'] : null,
      probeId: probe['id'],
      probeVersion: typeof probe['version'] === 'number' ? probe['version'] : 0,
      service: typeof item['service'] === 'string' ? item['service'] : '',
      host: host ?? '',
      kind: hasCaptures ? 'snapshot' : 'log',
      message: typeof item['message'] === 'string' ? item['message'] : '',
      timestamp: timestamp ?? now,
      event: item,
    });
  });
  return batch;
}
