/**
 * Events leave the breakpoint condition as plain objects (the captured values are already
 * copies) and are fitted to the size cap and handed to the sink on the next turn of the event
 * loop, so that a hit does not pay for serialisation. Bounded: beyond the cap events are dropped
 * and counted.
 */
import type { ProbeEvent } from '@periscope/protocol';
import type { Sink } from '../sink.js';

const MAX_PENDING = 1024;

export class EventOutbox {
  private pending: ProbeEvent[] = [];
  private scheduled = false;
  dropped = 0;

  constructor(
    private readonly sink: Sink,
    /** Serialises an event, pruned to the size cap when over it; undefined when nothing fits. */
    private readonly fit: (event: ProbeEvent) => string | undefined,
  ) {}

  push(event: ProbeEvent): void {
    if (this.pending.length >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      // Not unref'd: one turn of the loop must still run so that the last events of a process
      // that is about to exit reach the sink (whose own exit flush then delivers them).
      setImmediate(() => this.drain());
    }
  }

  /** Hands every pending event to the sink now. */
  drain(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const event of batch) {
      try {
        const json = this.fit(event);
        if (json === undefined) this.dropped++;
        // A pruned event no longer matches the object: sinks that want objects get the pruned one.
        else this.sink.emitEvent(json.includes('"pruned":true') ? (JSON.parse(json) as ProbeEvent) : event, json);
      } catch {
        this.dropped++;
      }
    }
  }
}
