/**
 * Sampling limits in a real process: per probe 1 snapshot/s (or `sampling.snapshotsPerSecond`)
 * and 5000/s for log-only probes, applied as a minimum interval between samples (src/sampling);
 * 25 snapshots/s globally in fixed one-second windows, which log-only probes do not count against.
 *
 * Nothing here relies on the machine being fast. The fixture times each burst on the clock the
 * samplers read (performance.now()), and the assertions are what the samplers promise for that
 * time: a minimum interval `i` allows at most floor(d / i) + 1 samples in a span of d ms; fixed
 * windows allow at most `cap` per window, and a span of d ms touches at most floor(d / 1000) + 1
 * windows. Where hits are spaced further apart than the interval, every hit must be sampled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, eventsOf, logProbe, runApp, statusesOf } from '../helpers/run-app.js';

const dir = path.join(FIXTURES, 'engine/sampling');
const lineOf = (marker: string): number =>
  readFileSync(path.join(dir, 'lib/work.js'), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(`// probe:${marker}`)) + 1;

/** Most samples a minimum-interval sampler at `perSecond` takes in `ms` (float slack included). */
const intervalBound = (ms: number, perSecond: number): number => Math.floor((ms + 1e-6) / (1000 / perSecond)) + 1;

/** A log template that renders the hit's `i`, so that each event says which hit it came from. */
const withI = (prefix: string) => ({ template: `${prefix} {i}`, segments: [{ str: `${prefix} ` }, { dsl: 'i', json: { ref: 'i' } }] });

test('the global cap holds 40 snapshot probes to 25 snapshots per window; a log probe on the same line is not capped', async () => {
  const line = lineOf('work');
  const snapshotIds = Array.from({ length: 40 }, (_, k) => `snap-${k}`);
  const run = await runApp({
    cwd: dir,
    args: ['app.js', 'global'],
    preload: 'require',
    probes: [
      // Per-probe limits raised far out of the way: only the global cap can hold these back.
      ...snapshotIds.map((id) => logProbe(id, 'lib/work.js', line, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } })),
      logProbe('log-only', 'lib/work.js', line, withI('log')),
    ],
  });
  assert.equal(run.code, 0, run.stderr);
  const { hits, ms } = JSON.parse(run.stdout) as { hits: number; ms: number };
  for (const id of [...snapshotIds, 'log-only']) {
    assert.ok(!statusesOf(run, id).some((s) => s.status === 'ERROR'), `${id}: ${JSON.stringify(statusesOf(run, id))}`);
  }

  const snapshots = snapshotIds.flatMap((id) => eventsOf(run, id));
  const windows = Math.floor(ms / 1000) + 1;
  assert.ok(snapshots.length <= 25 * windows, `${snapshots.length} snapshots in ${ms.toFixed(1)} ms (${windows} window(s))`);
  // The first hit alone asks for 40 snapshots and opens the first window, which takes 25 of them.
  assert.ok(snapshots.length >= 25, `${snapshots.length} snapshots`);
  if (windows === 1) assert.equal(snapshots.length, 25);
  for (const e of snapshots) assert.ok(e.debugger.snapshot.captures?.lines?.[String(line)]?.arguments?.['i'], 'a capped-in snapshot is complete');

  // Hits are spaced beyond the log interval (0.2 ms): every one produced its log event.
  const logs = eventsOf(run, 'log-only').map((e) => e.message);
  assert.deepEqual(logs, Array.from({ length: hits }, (_, i) => `log ${i}`));
  assert.ok(logs.length > 25 * windows, 'log-only events are not counted against the snapshot cap');
});

test('per-probe rates: log probes 5000/s as a minimum interval, snapshot probes 1/s by default, sampling.snapshotsPerSecond honoured', async () => {
  const spacedLine = lineOf('spaced');
  const denseLine = lineOf('dense');
  const run = await runApp({
    cwd: dir,
    args: ['app.js', 'per-probe'],
    preload: 'require',
    probes: [
      logProbe('log-spaced', 'lib/work.js', spacedLine, withI('spaced')),
      logProbe('snap-default', 'lib/work.js', spacedLine, { captureSnapshot: true }),
      logProbe('log-dense', 'lib/work.js', denseLine, withI('dense')),
      logProbe('log-dense-100', 'lib/work.js', denseLine, { ...withI('dense'), sampling: { snapshotsPerSecond: 100 } }),
      logProbe('snap-2', 'lib/work.js', denseLine, { captureSnapshot: true, sampling: { snapshotsPerSecond: 2 } }),
    ],
  });
  assert.equal(run.code, 0, run.stderr);
  const r = JSON.parse(run.stdout) as {
    spacedHits: number;
    spacedMs: number;
    chunks: Array<{ first: number; last: number; ms: number }>;
    denseMs: number;
  };
  for (const id of ['log-spaced', 'snap-default', 'log-dense', 'log-dense-100', 'snap-2']) {
    assert.deepEqual(statusesOf(run, id).map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING'], id);
  }

  // Fewer than 5000 hits, each more than 0.2 ms after the previous: all of them are logged.
  assert.deepEqual(
    eventsOf(run, 'log-spaced').map((e) => e.message),
    Array.from({ length: r.spacedHits }, (_, i) => `spaced ${i}`),
  );

  // 6000 hits as fast as the machine runs them: within each timed chunk, at most one event per
  // 0.2 ms of that chunk. A chunk of 600 hits cannot span more than one second unless a hit
  // takes over 1.6 ms, so a fast machine also shows ">5000 hits in a second give at most 5000".
  // The same rule at a rate the override lowers to 100/s (one event per 10 ms at most) has
  // room to show on any machine: a chunk of 600 hits gives far fewer events than hits.
  for (const [id, rate] of [['log-dense', 5000], ['log-dense-100', 100]] as const) {
    const dense = eventsOf(run, id).map((e) => Number(/^dense (\d+)$/.exec(e.message)![1]));
    assert.ok(dense.length >= 1, id);
    for (const c of r.chunks) {
      const n = dense.filter((i) => i >= c.first && i <= c.last).length;
      assert.ok(n <= intervalBound(c.ms, rate), `${id}, chunk ${c.first}..${c.last}: ${n} events in ${c.ms.toFixed(2)} ms`);
    }
    assert.ok(dense.length <= intervalBound(r.denseMs, rate), `${id}: ${dense.length} events in ${r.denseMs.toFixed(1)} ms`);
    assert.deepEqual(dense, [...dense].sort((a, b) => a - b), `${id}: events in hit order`);
  }

  // Snapshot probes: the default 1/s, and 2/s when the probe says so.
  const snapDefault = eventsOf(run, 'snap-default').length;
  assert.ok(snapDefault >= 1 && snapDefault <= intervalBound(r.spacedMs, 1), `${snapDefault} default-rate snapshots in ${r.spacedMs.toFixed(1)} ms`);
  const snap2 = eventsOf(run, 'snap-2').length;
  assert.ok(snap2 >= 1 && snap2 <= intervalBound(r.denseMs, 2), `${snap2} snapshots at 2/s in ${r.denseMs.toFixed(1)} ms`);
});
