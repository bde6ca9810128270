/**
 * Keeps a serialised event under the intake's 1 MiB cap (shared/reference/snapshots.md §6).
 * Captured values are replaced by `{"pruned":true}`, leaves first, in dd-trace-js's order:
 * nodes already cut for depth, then deeper nodes, then nodes with any `notCapturedReason`,
 * then larger ones; a node whose children are all pruned is pruned itself. Byte sizes are
 * computed once, bottom-up, and updated arithmetically, so the cost is one walk, a heap, and a
 * final `JSON.stringify`, whatever the snapshot size.
 */
import type { CapturedContext, CapturedValue, ProbeEvent } from '@periscope/protocol';
import { MAX_EVENT_BYTES, MAX_MESSAGE_CHARS } from '@periscope/protocol';

const PRUNED: CapturedValue = Object.freeze({ pruned: true });
const PRUNED_BYTES = 15; // '{"pruned":true}'
/** Re-serialisations allowed before falling back to dropping whole capture contexts. */
const MAX_PASSES = 6;
const CONTEXT_RECORDS = ['arguments', 'locals', 'staticFields', 'captureExpressions'] as const;
/** Characters JSON.stringify escapes or that take more than one UTF-8 byte. */
const NOT_PLAIN_ASCII = /[\u0000-\u001f"\\\u007f-\uffff]/;

/** Caps a rendered log message at 8 KiB, marking the cut with `…` as dd-trace-js does. */
export function truncateMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  let cut = MAX_MESSAGE_CHARS;
  const last = message.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return message.slice(0, cut) + '…';
}

/**
 * Serialises an event, pruning captured values until it is at most `maxBytes` UTF-8 bytes.
 * The event is not modified. Throws a RangeError only when even an event without captures and
 * without stack frames does not fit (a misconfiguration, e.g. a megabyte-long service name).
 */
export function pruneEvent(event: ProbeEvent, maxBytes: number = MAX_EVENT_BYTES): string {
  const ev = event.message.length > MAX_MESSAGE_CHARS ? { ...event, message: truncateMessage(event.message) } : event;
  const json = JSON.stringify(ev);
  let size = Buffer.byteLength(json);
  if (size <= maxBytes) return json;

  const contexts = captureContexts(ev);
  const tree = new PruneTree();
  for (const ctx of contexts) {
    for (const record of CONTEXT_RECORDS) {
      const values = ctx[record];
      if (values === undefined || values === null) continue;
      for (const name of Object.keys(values)) tree.add(values[name]!, -1, 1);
    }
  }
  tree.buildHeap();

  const pruned = new Set<object>();
  const replacer = (_key: string, value: unknown): unknown =>
    typeof value === 'object' && value !== null && pruned.has(value) ? PRUNED : value;

  for (let pass = 0; pass < MAX_PASSES && tree.hasLeaves(); pass++) {
    tree.pruneBytes(size - maxBytes, pruned);
    const out = JSON.stringify(ev, replacer);
    size = Buffer.byteLength(out);
    if (size <= maxBytes) return out;
  }

  // Last resort: whole capture contexts, then stack frames and evaluation errors.
  for (const ctx of contexts) pruned.add(ctx);
  let out = JSON.stringify(ev, replacer);
  if (Buffer.byteLength(out) <= maxBytes) return out;
  const snapshot = ev.debugger.snapshot;
  let frames = snapshot.stack?.length ?? 0;
  while (frames > 0) {
    frames >>= 1;
    const trimmed: ProbeEvent = {
      ...ev,
      debugger: { ...ev.debugger, snapshot: { ...snapshot, stack: snapshot.stack!.slice(0, frames), evaluationErrors: [] } },
    };
    out = JSON.stringify(trimmed, replacer);
    if (Buffer.byteLength(out) <= maxBytes) return out;
  }
  throw new RangeError(`event cannot be pruned below ${maxBytes} bytes`);
}

function captureContexts(ev: ProbeEvent): CapturedContext[] {
  const captures = ev.debugger.snapshot.captures;
  const out: CapturedContext[] = [];
  if (captures === undefined || captures === null) return out;
  if (captures.lines) for (const line of Object.keys(captures.lines)) out.push(captures.lines[line]!);
  if (captures.entry) out.push(captures.entry);
  if (captures.return) out.push(captures.return);
  return out;
}

/** Byte length of a JSON string literal for `s`. */
function stringBytes(s: string): number {
  if (!NOT_PLAIN_ASCII.test(s)) return s.length + 2;
  return Buffer.byteLength(JSON.stringify(s));
}

/** Byte length of JSON.stringify(value) for any JSON value outside the captured-value tree. */
function jsonBytes(value: unknown): number {
  if (typeof value === 'string') return stringBytes(value);
  const s = JSON.stringify(value);
  return s === undefined ? 0 : Buffer.byteLength(s);
}

/** The captured-value nodes of one event, flattened, with sizes and a max-heap of prunable leaves. */
class PruneTree {
  readonly #nodes: CapturedValue[] = [];
  readonly #parent: number[] = [];
  /** Current serialised size of each node, shrinking as descendants are pruned. */
  readonly #size: number[] = [];
  readonly #children: number[] = [];
  readonly #prunedChildren: number[] = [];
  readonly #priority: number[] = [];
  #heap: number[] = [];

  /** Registers `node` and its descendants; returns its serialised size in bytes. */
  add(node: CapturedValue, parent: number, level: number): number {
    const idx = this.#nodes.length;
    this.#nodes.push(node);
    this.#parent.push(parent);
    this.#size.push(0);
    this.#children.push(0);
    this.#prunedChildren.push(0);
    this.#priority.push(0);
    if (parent >= 0) this.#children[parent]!++;

    let bytes = 2; // {}
    let members = 0;
    for (const key of Object.keys(node) as Array<keyof CapturedValue>) {
      const value = node[key];
      if (value === undefined) continue;
      bytes += stringBytes(key) + 1; // "key":
      if (key === 'fields') {
        const fields = value as Record<string, CapturedValue>;
        let inner = 2;
        let n = 0;
        for (const name of Object.keys(fields)) {
          inner += stringBytes(name) + 1 + this.add(fields[name]!, idx, level + 1);
          n++;
        }
        bytes += inner + (n > 1 ? n - 1 : 0);
      } else if (key === 'elements') {
        const elements = value as CapturedValue[];
        let inner = 2;
        for (const el of elements) inner += this.add(el, idx, level + 1);
        bytes += inner + (elements.length > 1 ? elements.length - 1 : 0);
      } else if (key === 'entries') {
        const entries = value as Array<[CapturedValue, CapturedValue]>;
        let inner = 2;
        for (const [k, v] of entries) inner += 3 + this.add(k, idx, level + 1) + this.add(v, idx, level + 1);
        bytes += inner + (entries.length > 1 ? entries.length - 1 : 0);
      } else {
        bytes += jsonBytes(value);
      }
      members++;
    }
    bytes += members > 1 ? members - 1 : 0;
    this.#size[idx] = bytes;

    const reason = node.notCapturedReason;
    this.#priority[idx] =
      (reason === 'depth' ? 1e15 : 0) +
      (level < 999 ? level : 999) * 1e12 +
      (reason !== undefined ? 1e11 : 0) +
      (bytes < 1e11 ? bytes : 1e11 - 1);
    return bytes;
  }

  buildHeap(): void {
    const heap: number[] = [];
    for (let i = 0; i < this.#nodes.length; i++) if (this.#children[i] === 0) heap.push(i);
    this.#heap = heap;
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  hasLeaves(): boolean {
    return this.#heap.length > 0;
  }

  /** Prunes leaves (and parents emptied by it) until at least `target` bytes are saved. */
  pruneBytes(target: number, pruned: Set<object>): void {
    let saved = 0;
    while (saved < target && this.#heap.length > 0) {
      let idx = this.#pop();
      // Prune it, then every ancestor whose children are now all pruned.
      for (;;) {
        const gain = this.#size[idx]! - PRUNED_BYTES;
        pruned.add(this.#nodes[idx]!);
        saved += gain;
        const parent = this.#parent[idx]!;
        if (parent < 0) break;
        this.#size[parent]! -= gain;
        if (++this.#prunedChildren[parent]! < this.#children[parent]!) break;
        idx = parent;
      }
    }
  }

  #pop(): number {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const prio = this.#priority;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n && prio[heap[l]!]! > prio[heap[best]!]!) best = l;
      if (r < n && prio[heap[r]!]! > prio[heap[best]!]!) best = r;
      if (best === i) return;
      const tmp = heap[i]!;
      heap[i] = heap[best]!;
      heap[best] = tmp;
      i = best;
    }
  }
}
