/**
 * A snapshot probe on a line where a local holds an object of a million properties, in a real
 * process with the default 15 ms capture budget (snapshots.md §5): the first snapshot is valid
 * and marks the object `timeout` with its size; the probe then stops capturing, and every later
 * event says why, as dd-trace-js does. Listing a million keys takes hundreds of milliseconds in
 * V8 (large-objects.ts), far beyond 15 ms, so the first hit is over budget on any machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaptureLimits } from '@periscope/protocol';
import { DEFAULT_CAPTURE_LIMITS } from '@periscope/protocol';
import { eventsOf, logProbe, runApp, tempDir } from '../helpers/run-app.js';
import { assertValidTree } from '../capture/helpers.js';

const HITS = 3;
const PROBE_LINE = 6;
// A fresh million-key object at every call: the object-level memory cannot help, only the probe-level stop can.
const APP = `'use strict';
function handle(i) {
  const big = {};
  for (let k = 0; k < 1e6; k++) big['k' + k] = k;
  const small = { i, tags: ['a'] };
  return small.i;
}
function timed(i) {
  const t0 = performance.now();
  handle(i);
  return performance.now() - t0;
}
const ms = [];
for (let i = 0; i < ${HITS}; i++) ms.push(Math.round(timed(i)));
process.stdout.write(JSON.stringify({ node: process.version, ms }));
`;

test('a million-property object: the first snapshot marks it timeout, later hits of the probe do not pay again', async () => {
  const dir = tempDir('periscope-large-');
  writeFileSync(path.join(dir, 'app.js'), APP);
  writeFileSync(path.join(dir, 'package.json'), '{"type":"commonjs"}');
  const run = await runApp({
    cwd: dir,
    args: ['app.js'],
    preload: 'require',
    probes: [logProbe('big', 'app.js', PROBE_LINE, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1000 } })],
    timeoutMs: 120_000,
  });
  assert.equal(run.code, 0, run.stderr);
  // Measured, not asserted: the first hit lists the keys once; the later ones skip the capture.
  const timings = JSON.parse(run.stdout) as { node: string; ms: number[] };
  console.log(`# ${timings.node}: ms per call (object built + probe hit) ${timings.ms.join(', ')}`);

  const events = eventsOf(run, 'big');
  assert.equal(events.length, HITS);
  const first = events[0]!.debugger.snapshot;
  const locals = first.captures!.lines![String(PROBE_LINE)]!.locals!;
  assert.deepEqual(locals['big'], { type: 'Object', notCapturedReason: 'timeout', size: 1_000_000 });
  // Whatever follows is within the limits and, being past the budget, marked too.
  const limits: CaptureLimits = DEFAULT_CAPTURE_LIMITS;
  for (const node of Object.values(locals)) assertValidTree(node, limits);
  assert.deepEqual(locals['small'], { type: 'Object', notCapturedReason: 'timeout' });
  assert.equal(first.evaluationErrors?.length, 1);
  const stopped = first.evaluationErrors![0]!;
  assert.equal(stopped.expr, '');
  assert.match(stopped.message, /object with 1000000 properties \(type Object\) could not be listed within the 15 ms capture budget/);
  assert.match(stopped.message, /later snapshots of this probe are sent without captures/);

  for (const later of events.slice(1)) {
    const snap = later.debugger.snapshot;
    assert.equal(snap.captures, undefined, 'no capture after the stop');
    assert.deepEqual(snap.evaluationErrors, [stopped]);
    assert.equal(later.message, 'probe big');
  }
});
