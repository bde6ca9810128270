import { probeConfigId, configPath, LIVE_DEBUGGING } from '../remote-config/config-paths.js';
import type { InstanceStore } from '../store/instance-store.js';
import type { StoredProbe } from '../store/probe-store.js';
import type { RcClientStore } from '../store/rc-client-store.js';
import type { ProbeStatusName, ProbeStatusRecord, StatusStore } from '../store/status-store.js';
import { formatTarget, resolveLocation } from './probe-spec.js';

/** One instance's view of a probe: its diagnostics status and its Remote Config acknowledgement. */
export interface ProbeInstanceStatus {
  runtimeId: string;
  service: string;
  env: string;
  host: string;
  appVersion: string;
  /** Latest diagnostics status, or null when the instance has sent none yet. */
  status: ProbeStatusName | null;
  probeVersion: number | null;
  message: string;
  exception: ProbeStatusRecord['exception'];
  statusUpdatedAt: number | null;
  /** RC `apply_state` (0 unknown, 1 unacknowledged, 2 acknowledged, 3 error), or null when not reported. */
  applyState: number | null;
  applyError: string;
  lastSeen: number | null;
}

export interface ProbeView {
  id: string;
  version: number;
  type: string;
  service: string | null;
  env: string | null;
  target: string;
  where: unknown;
  when: unknown;
  template: string;
  segments: unknown;
  captureSnapshot: boolean;
  captureExpressions: unknown;
  sampling: unknown;
  capture: unknown;
  evaluateAt: unknown;
  tags: unknown;
  createdAt: number;
  updatedAt: number;
  rcPath: string;
  /** The probe JSON exactly as served to tracers. */
  definition: Record<string, unknown>;
  /** How many instances report each status. */
  statusCounts: Partial<Record<ProbeStatusName, number>>;
  instances: ProbeInstanceStatus[];
}

export function probeView(p: StoredProbe, deps: { statuses: StatusStore; rcClients: RcClientStore; instances: InstanceStore }): ProbeView {
  const d = p.probeJson;
  const configId = probeConfigId(p.type, p.id);
  const byRuntime = new Map<string, ProbeInstanceStatus>();
  const entry = (runtimeId: string): ProbeInstanceStatus => {
    let e = byRuntime.get(runtimeId);
    if (!e) {
      const inst = deps.instances.get(runtimeId);
      e = {
        runtimeId,
        service: inst?.service ?? '',
        env: inst?.env ?? '',
        host: inst?.host ?? '',
        appVersion: inst?.appVersion ?? '',
        status: null,
        probeVersion: null,
        message: '',
        exception: null,
        statusUpdatedAt: null,
        applyState: null,
        applyError: '',
        lastSeen: inst?.lastSeen ?? null,
      };
      byRuntime.set(runtimeId, e);
    }
    return e;
  };
  const clients = p.service === null ? deps.rcClients.all() : deps.rcClients.forService(p.service);
  for (const client of clients) {
    const state = client.configStates.find((s) => s.id === configId && (s.product === LIVE_DEBUGGING || s.product === ''));
    if (!state) continue;
    const e = entry(client.runtimeId);
    e.applyState = state.applyState;
    e.applyError = state.applyError;
  }
  const counts: Partial<Record<ProbeStatusName, number>> = {};
  for (const s of deps.statuses.forProbe(p.id)) {
    const e = entry(s.runtimeId);
    e.status = s.status;
    e.probeVersion = s.probeVersion;
    e.message = s.message;
    e.exception = s.exception;
    e.statusUpdatedAt = s.updatedAt;
    if (!e.service) e.service = s.service;
    counts[s.status] = (counts[s.status] ?? 0) + 1;
  }
  return {
    id: p.id,
    version: p.version,
    type: p.type,
    service: p.service,
    env: p.env,
    target: formatTarget(resolveLocation(p.spec)),
    where: d['where'],
    when: d['when'] ?? null,
    template: String(d['template'] ?? ''),
    segments: d['segments'] ?? [],
    captureSnapshot: d['captureSnapshot'] === true,
    captureExpressions: d['captureExpressions'] ?? [],
    sampling: d['sampling'] ?? null,
    capture: d['capture'] ?? null,
    evaluateAt: d['evaluateAt'] ?? null,
    tags: d['tags'] ?? [],
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    rcPath: configPath(LIVE_DEBUGGING, configId),
    definition: d,
    statusCounts: counts,
    instances: [...byRuntime.values()].sort((a, b) => a.runtimeId.localeCompare(b.runtimeId)),
  };
}
