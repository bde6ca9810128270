/** Event size cap and pruning (shared/reference/snapshots.md §6). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CapturedContext, CapturedValue, ProbeEvent } from '@periscope/protocol';
import { MAX_EVENT_BYTES } from '@periscope/protocol';
import { captureVariables, pruneEvent, truncateMessage } from '../../src/capture/index.js';
import { makeContext } from './helpers.js';

function event(line: CapturedContext, message = 'hit'): ProbeEvent {
  return {
    ddsource: 'dd_debugger',
    service: 'checkout',
    hostname: 'web-1',
    message,
    timestamp: 1_760_000_000_123,
    logger: { name: 'src/a.ts', method: 'handler', version: 2, thread_id: 'pid:1', thread_name: 'MainThread' },
    dd: { trace_id: '1', span_id: '2' },
    debugger: {
      type: 'snapshot',
      snapshot: {
        id: '5c0d2c1e-4a63-4a5e-8f0e-2b7d9f3c1a11',
        timestamp: 1_760_000_000_123,
        language: 'javascript',
        probe: { id: 'probe-1', version: 3, location: { file: 'src/a.ts', lines: ['42'] } },
        stack: [{ fileName: '/app/src/a.ts', function: 'handler', lineNumber: 42, columnNumber: 5 }],
        captures: { lines: { '42': line } },
        evaluationErrors: [],
      },
    },
  };
}

const str = (value: string): CapturedValue => ({ type: 'string', value });
const bytes = (s: string): number => Buffer.byteLength(s);

/** Every value node in a parsed event's captures, with whether it is `{pruned:true}`. */
function countPruned(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countPruned(v), 0);
  if (typeof value !== 'object' || value === null) return 0;
  if ((value as { pruned?: boolean }).pruned === true) return 1;
  return Object.values(value).reduce((n: number, v) => n + countPruned(v), 0);
}

describe('truncateMessage', () => {
  it('keeps messages up to 8 KiB and cuts longer ones with an ellipsis', () => {
    assert.equal(truncateMessage('short'), 'short');
    assert.equal(truncateMessage('a'.repeat(8192)), 'a'.repeat(8192));
    assert.equal(truncateMessage('a'.repeat(9000)), 'a'.repeat(8192) + '…');
  });

  it('does not split a surrogate pair', () => {
    const msg = 'a'.repeat(8191) + '😀' + 'b';
    assert.equal(truncateMessage(msg), 'a'.repeat(8191) + '…');
  });
});

describe('pruneEvent', () => {
  it('returns the plain serialisation of an event under the cap', () => {
    const ev = event({ locals: { a: str('x') } });
    assert.equal(pruneEvent(ev), JSON.stringify(ev));
  });

  it('caps the message even when the event is small', () => {
    const out = JSON.parse(pruneEvent(event({}, 'm'.repeat(10_000)))) as ProbeEvent;
    assert.equal(out.message, 'm'.repeat(8192) + '…');
  });

  it('brings a multi-megabyte snapshot under 1 MiB with pruned nodes and intact top-level fields', () => {
    // A real capture of a big structure, with limits raised so the snapshot exceeds the cap.
    const rows = Array.from({ length: 1200 }, (_, i) => ({ id: i, name: `row ${i}`, notes: 'n'.repeat(2000), tags: ['a', 'b', { deep: { deeper: i } }] }));
    const locals = captureVariables(
      [
        ['rows', rows],
        ['count', rows.length],
      ],
      makeContext({ limits: { maxCollectionSize: 2000, maxLength: 10_000, maxReferenceDepth: 4 } }),
    );
    const ev = event({ locals });
    const original = JSON.stringify(ev);
    assert.ok(bytes(original) > 2 * MAX_EVENT_BYTES, `fixture is ${bytes(original)} bytes`);

    const json = pruneEvent(ev);
    assert.ok(bytes(json) <= MAX_EVENT_BYTES, `pruned to ${bytes(json)} bytes`);
    const out = JSON.parse(json) as ProbeEvent;
    assert.ok(countPruned(out) > 0);
    const { captures: _c, ...snapshotRest } = out.debugger.snapshot;
    const { captures: _o, ...originalRest } = ev.debugger.snapshot;
    assert.deepEqual(snapshotRest, originalRest);
    assert.deepEqual({ ...out, debugger: undefined }, { ...ev, debugger: undefined });
    // The small local survives: deeper and larger nodes go first.
    assert.deepEqual(out.debugger.snapshot.captures!.lines!['42']!.locals!['count'], { type: 'number', value: '1200' });
    assert.equal(JSON.stringify(ev), original, 'the input event is not modified');
  });

  it('prunes depth-marked nodes first, then deeper ones, then larger ones', () => {
    const locals: Record<string, CapturedValue> = {
      shallow: str('s'.repeat(300)),
      obj: {
        type: 'Object',
        fields: {
          big: str('b'.repeat(200)),
          small: str('s'.repeat(50)),
          cut: { type: 'Object', notCapturedReason: 'depth' },
        },
      },
    };
    const ev = event({ locals });
    const full = bytes(JSON.stringify(ev));
    const prunedOut = (maxBytes: number): Record<string, CapturedValue> =>
      (JSON.parse(pruneEvent(ev, maxBytes)) as ProbeEvent).debugger.snapshot.captures!.lines!['42']!.locals!;

    // Saving a few bytes: only the depth-marked node goes.
    let out = prunedOut(full - 10);
    assert.deepEqual(out['obj']!.fields!['cut'], { pruned: true });
    assert.deepEqual(out['obj']!.fields!['big'], locals['obj']!.fields!['big']);

    // Saving ~100 bytes: then the larger of the deeper leaves.
    out = prunedOut(full - 100);
    assert.deepEqual(out['obj']!.fields!['big'], { pruned: true });
    assert.deepEqual(out['obj']!.fields!['small'], locals['obj']!.fields!['small']);
    assert.deepEqual(out['shallow'], locals['shallow'], 'the larger shallow value is kept while deeper ones can go');

    // Once every field is pruned, the object itself is replaced.
    out = prunedOut(full - 280);
    assert.deepEqual(out['obj'], { pruned: true });
    assert.deepEqual(out['shallow'], locals['shallow']);
  });

  it('replaces a whole capture context as a last resort', () => {
    const locals: Record<string, CapturedValue> = {};
    for (let i = 0; i < 5000; i++) locals[`v${i}`] = { type: 'number', value: String(i) };
    const ev = event({ locals });
    const json = pruneEvent(ev, 20_000);
    assert.ok(bytes(json) <= 20_000);
    const out = JSON.parse(json) as ProbeEvent;
    assert.deepEqual(out.debugger.snapshot.captures!.lines!['42'], { pruned: true });
    assert.equal(out.debugger.snapshot.probe.id, 'probe-1');
  });

  it('drops stack frames only when nothing else is left to drop', () => {
    const ev = event({ locals: { a: str('x') } });
    ev.debugger.snapshot.stack = Array.from({ length: 2000 }, (_, i) => ({ fileName: `/app/f${i}.ts`, function: `fn${i}`, lineNumber: i + 1 }));
    const json = pruneEvent(ev, 20_000);
    assert.ok(bytes(json) <= 20_000);
    const out = JSON.parse(json) as ProbeEvent;
    assert.ok(out.debugger.snapshot.stack!.length > 0 && out.debugger.snapshot.stack!.length < 2000);
    assert.deepEqual(out.debugger.snapshot.stack![0], ev.debugger.snapshot.stack[0], 'innermost frames are kept');
  });

  it('counts multi-byte characters in bytes, not characters', () => {
    const locals: Record<string, CapturedValue> = {};
    for (let i = 0; i < 50; i++) locals[`v${i}`] = { type: 'Object', fields: { s: str('é😀'.repeat(200)) } };
    const ev = event({ locals });
    const full = bytes(JSON.stringify(ev));
    const json = pruneEvent(ev, Math.floor(full / 2));
    assert.ok(bytes(json) <= Math.floor(full / 2));
    assert.ok(json.length < bytes(json), 'fixture is multi-byte');
  });

  it('throws a RangeError when even the bare event does not fit', () => {
    assert.throws(() => pruneEvent(event({}), 100), RangeError);
  });
});
