/**
 * Events leave the breakpoint condition as plain objects (the captured values are already
 * copies) and are fitted to the size cap and handed to the sink on the next turn of the event
 * loop, so that a hit does not pay for serialisation. Bounded: beyond the cap events are dropped
 * and counted.
 */
import type { ProbeEvent, StackFrame } from '@periscope/protocol';
import type { PendingStack } from '../runtime/stack.js';
import type { Sink } from '../sink.js';

const MAX_PENDING = 1024;

export class EventOutbox {
  private pending: ProbeEvent[] = [];
  /** The stack recorded at each pending event's hit, formatted when the event leaves. */
  private stacks: Array<PendingStack | undefined> = [];
  private scheduled = false;
  dropped = 0;

  constructor(
    private readonly sink: Sink,
    /** Serialises an event, pruned to the size cap when over it; undefined when nothing fits. */
    private readonly fit: (event: ProbeEvent) => string | undefined,
    private readonly formatStack: (stack: PendingStack) => StackFrame[],
  ) {}

  push(event: ProbeEvent, stack?: PendingStack): void {
    if (this.pending.length >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.push(event);
    this.stacks.push(stack);
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
    const stacks = this.stacks;
    this.pending = [];
    this.stacks = [];
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i]!;
      try {
        const stack = stacks[i];
        if (stack !== undefined) event.debugger.snapshot.stack = this.formatStack(stack);
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
