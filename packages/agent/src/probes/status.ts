/**
 * Probe statuses (RECEIVED → INSTALLED → EMITTING, or ERROR instead of INSTALLED). Each
 * (status, probe, version) is sent once; the current status of every live probe is sent again
 * periodically so that a backend that restarted learns it.
 */
import type { DiagnosticItem, ProbeStatus } from '@periscope/protocol';
import type { Sink } from '../sink.js';

export interface StatusIdentity {
  service: string;
  runtimeId: string;
  parentId: string | null;
}

interface Current {
  version: number;
  status: ProbeStatus;
  message: string;
  error: { type: string; message: string } | undefined;
}

export function defaultStatusMessage(probeId: string, status: ProbeStatus): string {
  switch (status) {
    case 'RECEIVED':
      return `Probe ${probeId} has been received correctly`;
    case 'INSTALLED':
      return `Probe ${probeId} has been instrumented correctly`;
    case 'EMITTING':
      return `Probe ${probeId} is emitting`;
    case 'BLOCKED':
      return `Probe ${probeId} is blocked`;
    case 'ERROR':
      return `Instrumentation for probe ${probeId} failed`;
  }
}

export class StatusReporter {
  private readonly sent = new Set<string>();
  private readonly current = new Map<string, Current>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: Sink,
    private readonly identity: StatusIdentity,
    intervalSeconds: number,
  ) {
    this.timer = setInterval(() => this.reemitAll(), intervalSeconds * 1000);
    this.timer.unref();
  }

  report(probeId: string, version: number, status: ProbeStatus, message?: string, error?: { type: string; message: string }): void {
    const key = `${status}\0${probeId}\0${version}`;
    this.current.set(probeId, { version, status, message: message ?? defaultStatusMessage(probeId, status), error });
    if (this.sent.has(key)) return;
    this.sent.add(key);
    this.emit(probeId, this.current.get(probeId)!);
  }

  statusOf(probeId: string): { version: number; status: ProbeStatus; message: string } | undefined {
    return this.current.get(probeId);
  }

  /** A removed probe sends no status; forget it so that re-adding it starts a new lifecycle. */
  forget(probeId: string): void {
    this.current.delete(probeId);
    for (const key of this.sent) if (key.split('\0')[1] === probeId) this.sent.delete(key);
  }

  reemitAll(): void {
    for (const [id, cur] of this.current) this.emit(id, cur);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private emit(probeId: string, cur: Current): void {
    const item: DiagnosticItem = {
      ddsource: 'dd_debugger',
      service: this.identity.service,
      timestamp: Date.now(),
      message: cur.message,
      debugger: {
        diagnostics: {
          probeId,
          probeVersion: cur.version,
          runtimeId: this.identity.runtimeId,
          parentId: this.identity.parentId,
          status: cur.status,
          ...(cur.status === 'ERROR' ? { exception: cur.error ?? { type: 'Error', message: cur.message } } : {}),
        },
      },
    };
    this.sink.emitStatus(item);
  }
}
