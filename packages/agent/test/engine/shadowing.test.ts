import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, eventsOf, logProbe, runApp } from '../helpers/run-app.js';

const dir = path.join(FIXTURES, 'engine/shadowing');
const lines = new Map<string, number>();
readFileSync(path.join(dir, 'app.js'), 'utf8')
  .split('\n')
  .forEach((text, i) => {
    const m = /\/\/ probe:(\w+)/.exec(text);
    if (m) lines.set(m[1]!, i + 1);
  });

test('a shadowed name is captured once, with the innermost binding\'s value', async () => {
  const baseline = await runApp({ cwd: dir, args: ['app.js'], preload: false });
  const run = await runApp({
    cwd: dir,
    args: ['app.js'],
    preload: 'require',
    probes: [...lines].map(([id, line]) => logProbe(id, 'app.js', line, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } })),
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, baseline.stdout);
  const captured = (id: string) =>
    eventsOf(run, id).map((e) => {
      const ctx = e.debugger.snapshot.captures!.lines![String(lines.get(id))]!;
      return { arguments: ctx.arguments ?? {}, locals: ctx.locals ?? {} };
    });

  // let in a block: the block's `count` (a number), not the function's (a string).
  const block = captured('block');
  assert.equal(block.length, 1);
  assert.deepEqual(block[0]!.locals['count'], { type: 'number', value: '30' });
  assert.deepEqual(block[0]!.locals['seen'], { type: 'number', value: '31' });
  assert.deepEqual(block[0]!.arguments['value'], { type: 'number', value: '3' });

  // A closure's parameter `item` shadows the enclosing function's, and its local `label` the
  // module's: both innermost. The outer function's `total`, which the closure uses, is visible.
  const closure = captured('closure');
  assert.equal(closure.length, 2);
  for (const [k, snap] of closure.entries()) {
    assert.deepEqual(snap.arguments['item'], { type: 'number', value: String(k + 1) });
    assert.ok(!('item' in snap.locals), 'the outer item is not listed as well');
    assert.deepEqual(snap.locals['label'], { type: 'number', value: String((k + 1) * 100) });
    assert.deepEqual(snap.locals['total'], { type: 'string', value: 'outer-total' });
  }

  // A catch binding shadows the function's parameter of the same name: the caught value is a
  // local, and the hidden parameter is not listed among the arguments.
  const caught = captured('catch');
  assert.equal(caught.length, 1);
  assert.deepEqual(caught[0]!.locals['err'], { type: 'number', value: '7' });
  assert.ok(!('err' in caught[0]!.arguments), JSON.stringify(caught[0]!.arguments));
});
