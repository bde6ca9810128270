import type { StoredEvent } from '../store/event-store.js';

export interface EventFilter {
  probeId?: string;
  service?: string;
}

type Listener = (event: StoredEvent) => void;

/** Fans stored probe events out to live subscribers (the SSE stream). In-process only. */
export class EventBus {
  readonly #listeners = new Set<{ filter: EventFilter; listener: Listener }>();

  /** Returns the function that unsubscribes. */
  subscribe(filter: EventFilter, listener: Listener): () => void {
    const entry = { filter, listener };
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  publish(events: readonly StoredEvent[]): void {
    for (const event of events) {
      for (const { filter, listener } of this.#listeners) {
        if (filter.probeId !== undefined && filter.probeId !== event.probeId) continue;
        if (filter.service !== undefined && filter.service !== event.service) continue;
        try {
          listener(event);
        } catch {
          // A broken subscriber must not stop delivery to the others.
        }
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
