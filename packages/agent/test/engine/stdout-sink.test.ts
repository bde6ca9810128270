import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { DiagnosticItem, ProbeEvent } from '@periscope/protocol';
import { FIXTURES, logProbe, runApp } from '../helpers/run-app.js';

const dir = path.join(FIXTURES, 'engine/stdout-sink');

test('PERISCOPE_OUTPUT_FILE=- writes events and statuses as JSON lines on stdout, apart from the app\'s own lines', async () => {
  const baseline = await runApp({ cwd: dir, args: ['app.js'], preload: false });
  assert.equal(baseline.code, 0, baseline.stderr);
  const run = await runApp({
    cwd: dir,
    args: ['app.js'],
    preload: 'require',
    env: { PERISCOPE_OUTPUT_FILE: '-' },
    probes: [
      logProbe('greet', 'app.js', 5, {
        template: 'greeting {text}',
        segments: [{ str: 'greeting ' }, { dsl: 'text', json: { ref: 'text' } }],
        captureSnapshot: true,
        sampling: { snapshotsPerSecond: 1e9 },
      }),
      logProbe('nowhere', 'app.js', 2),
    ],
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  // Nothing went to a file: the helper's output file stays empty when stdout is the sink.
  assert.equal(run.events.length + run.statuses.length, 0);

  // Every stdout line is whole: either one of the app's lines or one agent record.
  const app: string[] = [];
  const events: ProbeEvent[] = [];
  const statuses: DiagnosticItem[] = [];
  for (const line of run.stdout.split('\n').slice(0, -1)) {
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      rec = undefined;
    }
    const kind = typeof rec === 'object' && rec !== null ? (rec as { kind?: unknown }).kind : undefined;
    if (kind === 'event') events.push((rec as { event: ProbeEvent }).event);
    else if (kind === 'status') statuses.push((rec as { status: DiagnosticItem }).status);
    else app.push(line);
  }
  assert.ok(run.stdout.endsWith('\n'));
  // The app's output, its own JSON line included, is all there, unchanged and in order.
  assert.equal(app.join('\n') + '\n', baseline.stdout);

  const of = (id: string) => statuses.filter((s) => s.debugger.diagnostics.probeId === id).map((s) => s.debugger.diagnostics.status);
  assert.deepEqual(of('greet'), ['RECEIVED', 'INSTALLED', 'EMITTING']);
  assert.deepEqual(of('nowhere'), ['RECEIVED', 'ERROR']);
  assert.match(statuses.find((s) => s.debugger.diagnostics.status === 'ERROR')!.message, /No executable code at .*app\.js:2/);
  assert.deepEqual(
    events.map((e) => e.message),
    ['greeting hello ada', 'greeting hello grace', 'greeting hello edsger'],
  );
  assert.deepEqual(events[1]!.debugger.snapshot.captures!.lines!['5']!.arguments!['name'], { type: 'string', value: 'grace' });
});
