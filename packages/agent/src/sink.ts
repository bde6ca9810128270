/**
 * Where probe results go. The engine only ever talks to a {@link Sink}; the JSON-lines sink makes
 * the agent usable on its own, the HTTP transport sends to a Datadog-protocol agent.
 */
import type { DiagnosticItem, ProbeEvent } from '@periscope/protocol';

export interface Sink {
  /**
   * A probe event (snapshot or log line), with its JSON when the agent already serialised it
   * (the two always agree; use `json` rather than serialising again). Must not throw or block.
   */
  emitEvent(event: ProbeEvent, json?: string): void;
  /** A probe status. Must not throw and must not block. */
  emitStatus(item: DiagnosticItem): void;
  /** Best-effort delivery of everything queued so far. */
  flush(): Promise<void>;
  /** Flushes, then releases timers and sockets. Idempotent. */
  close(): Promise<void>;
  /**
   * The sink's own counters (queued, delivered, dropped, retried), for `agent.diagnostics()`;
   * optional because a sink may keep none. Must not throw; the value must be plain JSON data.
   */
  stats?(): unknown;
}

/** Sends everything to several sinks (e.g. a file for debugging plus the network). */
export class FanOutSink implements Sink {
  constructor(private readonly sinks: readonly Sink[]) {}
  emitEvent(event: ProbeEvent, json?: string): void {
    for (const s of this.sinks) s.emitEvent(event, json);
  }
  emitStatus(item: DiagnosticItem): void {
    for (const s of this.sinks) s.emitStatus(item);
  }
  async flush(): Promise<void> {
    await Promise.allSettled(this.sinks.map((s) => s.flush()));
  }
  async close(): Promise<void> {
    await Promise.allSettled(this.sinks.map((s) => s.close()));
  }
  /** Each sink's counters, in order (`null` for a sink that keeps none). */
  stats(): unknown[] {
    return this.sinks.map((s) => s.stats?.() ?? null);
  }
}
