import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES, eventsOf, logProbe, runApp, statusesOf } from '../helpers/run-app.js';

const cjs = path.join(FIXTURES, 'engine/cjs');
const esm = path.join(FIXTURES, 'engine/esm');

test('CommonJS app under -r: probes install, capture, and explain what cannot be targeted', async () => {
  const baseline = await runApp({ cwd: cjs, args: ['app.js'], preload: false });
  const run = await runApp({
    cwd: cjs,
    args: ['app.js'],
    preload: 'require',
    probes: [
      logProbe('in-fn', 'lib/orders.js', 7, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1000 } }),
      logProbe('comment', 'lib/orders.js', 4),
      logProbe('lazy', 'lib/lazy.js', 3, { captureSnapshot: true }),
      logProbe('unknown', 'src/does-not-exist.js', 3),
      logProbe('bad-line', 'lib/orders.js', 0),
      logProbe('wrong-prefix', 'some/other/root/LIB\\ORDERS.JS', 7),
    ],
  });
  // The application's own behaviour is unchanged.
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, baseline.stdout);
  assert.equal(run.stderr, baseline.stderr);

  assert.deepEqual(statusesOf(run, 'in-fn').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING']);
  const events = eventsOf(run, 'in-fn');
  assert.equal(events.length, 10, 'one snapshot per loop iteration');
  const snap = events[0]!.debugger.snapshot;
  assert.deepEqual(snap.probe.location, { file: 'lib/orders.js', lines: ['7'] });
  const captured = snap.captures!.lines!['7']!;
  assert.deepEqual(Object.keys(captured.arguments!).sort(), ['order', 'qty']);
  assert.deepEqual(captured.arguments!['qty'], { type: 'number', value: '2' });
  // `sum` is assigned, `withTax` is still in its temporal dead zone on line 7.
  assert.deepEqual(captured.locals!['sum'], { type: 'number', value: '12' });
  assert.equal(snap.stack![0]!.function, 'total');
  assert.equal(snap.stack![0]!.lineNumber, 7);
  assert.match(snap.stack![0]!.fileName, /lib[\\/]orders\.js$/);
  assert.equal(events[0]!.logger.method, 'total');

  const comment = statusesOf(run, 'comment');
  assert.deepEqual(comment.map((s) => s.status), ['RECEIVED', 'ERROR']);
  assert.match(comment[1]!.message, /No executable code at .*orders\.js:4; nearest lines with code: 2, 6/);

  // Pending until the lazy require, then installed and firing.
  assert.deepEqual(statusesOf(run, 'lazy').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING']);
  assert.equal(eventsOf(run, 'lazy').length, 1);
  assert.deepEqual(eventsOf(run, 'lazy')[0]!.debugger.snapshot.captures!.lines!['3']!.arguments!['n'], { type: 'number', value: '5' });

  // A file that never loads stays pending: received, nothing else.
  assert.deepEqual(statusesOf(run, 'unknown').map((s) => s.status), ['RECEIVED']);

  const bad = statusesOf(run, 'bad-line');
  assert.deepEqual(bad.map((s) => s.status), ['RECEIVED', 'ERROR']);
  assert.match(bad[1]!.message, /lines must be positive integers/);

  // Unknown leading directories, another case and backslashes still find the file.
  assert.deepEqual(statusesOf(run, 'wrong-prefix').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING']);
});

test('late programmatic start in an ESM app: back-fill, top-level lines, add/modify/remove under load', async () => {
  const run = await runApp({ cwd: esm, args: ['late-start.mjs'], preload: false });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), [['toplevel', 'installed']]);

  const top = statusesOf(run, 'toplevel');
  assert.deepEqual(top.map((s) => s.status), ['RECEIVED', 'INSTALLED']);
  assert.match(top[1]!.message, /module top-level code that already executed .* will not fire/);

  const loop = statusesOf(run, 'loop');
  assert.deepEqual(
    loop.map((s) => `${s.status}@${s.version}`),
    ['RECEIVED@0', 'INSTALLED@0', 'EMITTING@0', 'RECEIVED@1', 'INSTALLED@1', 'EMITTING@1'],
  );
  const events = eventsOf(run, 'loop');
  const seen = events.map((e) => ({
    version: e.debugger.snapshot.probe.version,
    sum: Number(e.debugger.snapshot.captures!.lines!['5']!.locals!['sum']?.value ?? NaN),
  }));
  // Version 0 fired for hits 11..30, version 1 for 31..50, nothing after removal.
  const v0 = seen.filter((s) => s.version === 0).map((s) => s.sum);
  const v1 = seen.filter((s) => s.version === 1).map((s) => s.sum);
  assert.ok(v0.length > 0 && v1.length > 0);
  assert.ok(Math.min(...v0) >= 11 && Math.max(...v0) <= 30, `v0 sums ${v0}`);
  assert.ok(Math.min(...v1) >= 31 && Math.max(...v1) <= 50, `v1 sums ${v1}`);
  assert.equal(seen.length, v0.length + v1.length);
});

const misc = path.join(FIXTURES, 'engine/misc');

test('vm scripts and eval code with a sourceURL are targetable; debugger statements never pause', async () => {
  const baseline = await runApp({ cwd: misc, args: ['dynamic.js'], preload: false });
  const run = await runApp({
    cwd: misc,
    args: ['dynamic.js'],
    preload: 'require',
    probes: [
      logProbe('vm', 'generated/vm-scale.js', 3, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } }),
      logProbe('eval', 'eval-twice.js', 3, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } }),
    ],
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, baseline.stdout);
  assert.deepEqual(statusesOf(run, 'vm').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING']);
  assert.deepEqual(eventsOf(run, 'vm').map((e) => e.debugger.snapshot.captures!.lines!['3']!.locals!['factor']!.value), ['3', '3', '3']);
  assert.deepEqual(eventsOf(run, 'eval').map((e) => e.debugger.snapshot.captures!.lines!['3']!.locals!['r']!.value), ['2', '4', '6']);
  // The probe's own frame comes first, eval code or not; the condition's frame is not shown.
  for (const id of ['vm', 'eval']) {
    const top = eventsOf(run, id)[0]!.debugger.snapshot.stack![0]!;
    assert.deepEqual(
      { file: top.fileName, function: top.function, line: top.lineNumber },
      id === 'vm' ? { file: 'generated/vm-scale.js', function: 'scale', line: 3 } : { file: 'generated/eval-twice.js', function: 'twice', line: 3 },
      id,
    );
  }
  const evalCaller = eventsOf(run, 'eval')[0]!.debugger.snapshot.stack![1]!;
  assert.match(evalCaller.fileName, /dynamic\.js$/);
});

test('programmatic start/stop, diagnostics and coverage report', async () => {
  const run = await runApp({ cwd: misc, args: ['start-stop.mjs'], preload: false });
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as {
    hits: number;
    breakpoints: number;
    leftovers: string[];
    restarted: string[];
    distinct: number;
    coverage: { files: Array<{ file: string; linesWithCode: number }>; collectedFiles: string[]; totals: { files: number; filesWithCode: number } };
  };
  assert.equal(out.hits, 3);
  assert.equal(out.breakpoints, 1);
  assert.deepEqual(out.leftovers, []);
  const files = Object.fromEntries(out.coverage.files.map((f) => [f.file, f.linesWithCode]));
  assert.ok(files['work.cjs']! >= 2, JSON.stringify(files));
  assert.ok(files['start-stop.mjs']! > 5, JSON.stringify(files));
  assert.equal(out.coverage.totals.filesWithCode, out.coverage.totals.files);
  // A required data.json is loaded but is not code: it is neither a file with code nor a collected one.
  assert.ok(!out.coverage.collectedFiles.includes('data.json'), JSON.stringify(out.coverage.collectedFiles));
  assert.ok(!('data.json' in files));
  // After stop() the probe no longer fires: exactly the three hits from before.
  assert.equal(eventsOf(run, 'w').length, 3);
  // start() after either stop() gives a new agent that sees the code loaded before.
  assert.deepEqual(out.restarted, ['installed', 'installed']);
  assert.equal(out.distinct, 3);
  assert.equal(eventsOf(run, 'w2').length, 3);
});

test('re-evaluated modules, shared locations, ambiguity, trace ids and periodic statuses', async () => {
  const run = await runApp({
    cwd: misc,
    args: ['reload.js'],
    preload: 'require',
    env: { DD_DYNAMIC_INSTRUMENTATION_DIAGNOSTICS_INTERVAL: '1' },
    probes: [
      logProbe('both-copies', 'misc/work.cjs', 3, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } }),
      logProbe('same-line', 'misc/work.cjs', 3, { sampling: { snapshotsPerSecond: 1e9 } }),
    ],
  });
  assert.equal(run.code, 0, run.stderr);
  // A probe applies to every live copy of its file; two probes on one line fire independently.
  const both = eventsOf(run, 'both-copies');
  assert.deepEqual(both.map((e) => e.debugger.snapshot.captures!.lines!['3']!.arguments!['i']!.value).sort(), ['1', '2']);
  assert.equal(eventsOf(run, 'same-line').length, 2);
  // The active OpenTelemetry span's ids, lower 64 bits in decimal.
  assert.deepEqual(both[0]!.dd, { trace_id: BigInt('0x8448eb211c80319c').toString(), span_id: BigInt('0xb7ad6b7169203331').toString() });

  const amb = statusesOf(run, 'ambiguous');
  assert.equal(amb[1]!.status, 'ERROR');
  assert.match(amb[1]!.message, /Ambiguous sourceFile index\.js: it matches .*lib\/a\/index\.js, .*lib\/b\/index\.js/);
  assert.equal(statusesOf(run, 'unique')[1]!.status, 'INSTALLED');

  // Statuses are sent again periodically (interval set to 1 s here): the current one repeats.
  const repeated = statusesOf(run, 'both-copies').filter((s) => s.status === 'EMITTING');
  assert.ok(repeated.length >= 2, `EMITTING sent ${repeated.length} times`);
});

test('a sampled-out location is disarmed between samples and re-armed for the next one', async () => {
  const run = await runApp({ cwd: misc, args: ['hot-path.mjs'], preload: false });
  assert.equal(run.code, 0, run.stderr);
  const { calls, conditionRuns } = JSON.parse(run.stdout) as { calls: number; conditionRuns: number };
  assert.ok(calls > 2000, `calls ${calls}`);
  // One snapshot per second: at 0 s, ~1 s and ~2 s.
  const events = eventsOf(run, 'hot');
  assert.ok(events.length >= 2 && events.length <= 3, `snapshots ${events.length}`);
  // Without disarming, every call would evaluate the condition.
  assert.ok(conditionRuns < calls / 20, `condition evaluated ${conditionRuns} times for ${calls} calls`);
});

test('the CPU circuit breaker disables a probe whose location costs too much, and the cost stops', async () => {
  const run = await runApp({ cwd: misc, args: ['breaker.mjs'], preload: false });
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout) as { calls: number; state: string; evaluationsAtError: number; evaluations: number };
  assert.equal(out.state, 'error');
  // After the breaker tripped the breakpoint is gone: at most the hits of that same turn follow.
  assert.ok(out.evaluations - out.evaluationsAtError <= 50, JSON.stringify(out));
  assert.ok(out.calls > out.evaluations * 2, JSON.stringify(out));
  const st = statusesOf(run, 'greedy');
  assert.deepEqual(st.map((s) => s.status), ['RECEIVED', 'INSTALLED', 'ERROR']);
  assert.match(st[2]!.message, /was disabled because its location cost the application about \d+ ms of CPU in 10 s \(budget 1% of a core\)/);
  assert.equal(eventsOf(run, 'greedy').length, 0);
});
