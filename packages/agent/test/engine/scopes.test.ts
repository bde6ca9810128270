import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CapturedValue } from '@periscope/protocol';
import { FIXTURES, eventsOf, logProbe, runApp } from '../helpers/run-app.js';

const dir = path.join(FIXTURES, 'engine/scopes');

// The fixture pauses a second inspector session on every marked line and prints V8's own view of
// the frame's scopes; the agent's snapshots, taken without pausing, must list the same variables.
test('a snapshot reads exactly the variables V8 holds at the line, from the first hit on', async () => {
  const probeLines = new Map<string, number>();
  readFileSync(path.join(dir, 'app.js'), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const m = /\/\/ probe:([\w-]+)/.exec(text);
      if (m && !text.includes('const m =')) probeLines.set(m[1]!, i + 1);
    });
  assert.ok(probeLines.size >= 10);
  const withLine = readFileSync(path.join(dir, 'legacy.js'), 'utf8').split('\n').findIndex((l) => l.includes('// with-probe')) + 1;
  const baseline = JSON.parse((await runApp({ cwd: dir, args: ['app.js'], preload: false })).stdout) as { traps: number };
  const run = await runApp({
    cwd: dir,
    args: ['app.js'],
    preload: 'require',
    probes: [
      ...[...probeLines].map(([id, line]) => logProbe(id, 'app.js', line, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1000 } })),
      logProbe('template', 'app.js', probeLines.get('names')!, {
        template: '{local} {moduleLevel} {appConfig.region} {sideEffect} {typo} {unreferencedModuleLevel}',
        segments: ['local', 'moduleLevel', 'appConfig.region', 'sideEffect', 'typo', 'unreferencedModuleLevel'].flatMap((dsl, i) => [
          ...(i > 0 ? [{ str: ' ' }] : []),
          { dsl, json: dsl.includes('.') ? { getmember: [{ ref: dsl.split('.')[0] }, dsl.split('.')[1]] } : { ref: dsl } },
        ]),
        sampling: { snapshotsPerSecond: 1000 },
      }),
      logProbe('with', 'legacy.js', withLine, {
        captureSnapshot: true,
        template: 'a is {a}',
        segments: [{ str: 'a is ' }, { dsl: 'a', json: { ref: 'a' } }],
        sampling: { snapshotsPerSecond: 1000 },
      }),
    ],
  });
  assert.equal(run.code, 0, run.stderr);
  const { truth, getterCalls, traps } = JSON.parse(run.stdout) as { truth: Record<string, string[]>; getterCalls: number; traps: number };
  assert.deepEqual(Object.keys(truth).sort(), [...probeLines.keys()].sort(), 'V8 paused on every marked line');

  const hasValue = (v: CapturedValue) => v.type !== 'undefined';
  for (const [id, line] of probeLines) {
    const events = eventsOf(run, id);
    assert.ok(events.length >= 1, `${id}: no snapshot`);
    for (const [n, event] of events.entries()) {
      const ctx = event.debugger.snapshot.captures!.lines![String(line)]!;
      const names = [
        ...Object.entries(ctx.arguments ?? {}).filter(([name, v]) => name !== 'this' && hasValue(v)),
        ...Object.entries(ctx.locals ?? {}).filter(([, v]) => hasValue(v)),
      ].map(([name]) => name);
      assert.deepEqual(names.sort(), truth[id], `${id}, hit ${n + 1}`);
    }
  }
  // Besides the frame: a module-level name a function keeps, a global data property; a global
  // getter is not run, and names that cannot be read are errors of that hit only.
  const rendered = eventsOf(run, 'template');
  assert.equal(rendered.length, 2);
  for (const [n, e] of rendered.entries()) {
    // `unreferencedModuleLevel` is readable: the direct eval in withEval makes V8 keep every
    // module-level variable in a context.
    assert.match(e.message, new RegExp(`^${4 + n} 1 eu \\{ReferenceError: sideEffect is not defined\\} \\{ReferenceError: typo is not defined\\} 5$`), e.message);
    const failed = (e.debugger.snapshot.evaluationErrors ?? []).map((x) => x.expr).sort();
    assert.deepEqual(failed, ['sideEffect', 'typo']);
  }
  assert.equal(getterCalls, 0);
  // Inside `with (proxy)` nothing is read: the proxy's traps run only for the application.
  assert.equal(traps, baseline.traps);
  const withEvents = eventsOf(run, 'with');
  assert.ok(withEvents.length >= 1);
  for (const e of withEvents) {
    const ctx = e.debugger.snapshot.captures!.lines![String(withLine)]!;
    assert.deepEqual([...Object.keys(ctx.arguments ?? {}), ...Object.keys(ctx.locals ?? {})].filter((n) => n !== 'this'), []);
    assert.equal(e.message, 'a is {ReferenceError: a is not defined}');
  }
  // Hits where reading every name at once failed and the names were read one by one.
  assert.equal(eventsOf(run, 'shadowed').length, 2);
  const method = eventsOf(run, 'method')[0]!.debugger.snapshot.captures!.lines![String(probeLines.get('method'))]!;
  assert.equal(method.arguments!['this']!.type, 'Cart');
  assert.deepEqual(method.arguments!['this']!.fields!['owner'], { type: 'string', value: 'ada' });
});
