import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, eventsOf, logProbe, runApp, statusesOf } from '../helpers/run-app.js';

const dir = path.join(FIXTURES, 'engine/moved-line');

// lib/tail.js ends without a newline. V8 lists a break location at column 0 of its last line
// (tail's closing brace) but puts a breakpoint set there on line 6, the `return` before it;
// this is the case of breakpoints.ts that refuses to probe a line other than the one asked for.
test('a line where V8 would put the breakpoint on another line is refused, naming that line, and never fires', async () => {
  const source = readFileSync(path.join(dir, 'lib/tail.js'), 'utf8');
  assert.ok(source.endsWith('}'), 'the fixture must keep ending without a newline: it is what makes V8 move the breakpoint');
  const baseline = await runApp({ cwd: dir, args: ['app.js'], preload: false });
  const run = await runApp({
    cwd: dir,
    args: ['app.js'],
    preload: 'require',
    probes: [
      logProbe('last-line', 'lib/tail.js', 7, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } }),
      // The line V8 would have used instead: it takes probes, and shows that tail ran.
      logProbe('return-line', 'lib/tail.js', 6, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } }),
    ],
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, baseline.stdout);
  assert.equal(run.stdout, 'sum 12\n');

  const refused = statusesOf(run, 'last-line');
  assert.deepEqual(refused.map((s) => s.status), ['RECEIVED', 'ERROR']);
  assert.match(refused[1]!.message, /V8 would place this probe on generated line 6 instead of 7/);
  assert.deepEqual(eventsOf(run, 'last-line'), [], 'not silently moved to line 6');

  assert.deepEqual(statusesOf(run, 'return-line').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING']);
  assert.deepEqual(
    eventsOf(run, 'return-line').map((e) => e.debugger.snapshot.captures!.lines!['6']!.arguments!['p']!.value),
    ['1', '2', '3'],
  );
});
