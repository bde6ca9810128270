/**
 * Path matching prefers application files over node_modules: an app that loads its own
 * lib/util.js and a dependency's some-pkg/lib/util.js, in either order. `lib/util.js` means the
 * application file, `some-pkg/lib/util.js` the dependency's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, realpathSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { ProbeEvent } from '@periscope/protocol';
import { FIXTURES, eventsOf, logProbe, runApp, statusesOf, tempDir } from '../helpers/run-app.js';

/**
 * A copy of the fixture with the dependency under node_modules/some-pkg: node_modules folders
 * are git-ignored, so the fixture keeps the package in dependency/ and it is put in place here.
 */
function appDir(): string {
  const dir = realpathSync(tempDir('periscope-app-vs-dep-'));
  cpSync(path.join(FIXTURES, 'engine/app-vs-dependency'), dir, { recursive: true });
  mkdirSync(path.join(dir, 'node_modules'));
  renameSync(path.join(dir, 'dependency/some-pkg'), path.join(dir, 'node_modules/some-pkg'));
  return dir;
}

const every = { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } };
const probes = [
  logProbe('app-util', 'lib/util.js', 4, every),
  logProbe('dep-util', 'some-pkg/lib/util.js', 4, every),
  // Code in the dependency's file (depOnly, never called), none in the application's.
  logProbe('app-line-7', 'lib/util.js', 7),
];

/** Where each snapshot fired: the top frame's file (relative to the app), line, function and argument. */
function hits(events: ProbeEvent[], dir: string): string[] {
  return events.map((e) => {
    const snap = e.debugger.snapshot;
    const top = snap.stack![0]!;
    // Arguments also hold `this` (the module's exports object, for `dep.depScale(i)`).
    const args = snap.captures!.lines!['4']!.arguments!;
    const name = Object.keys(args).find((k) => k !== 'this')!;
    return `${path.relative(dir, top.fileName)}:${top.lineNumber} ${top.function}(${name}=${args[name]!.value})`;
  });
}

for (const order of ['app-first', 'dep-first'] as const) {
  test(`${order}: lib/util.js targets the application file, some-pkg/lib/util.js the dependency`, async () => {
    const dir = appDir();
    const baseline = await runApp({ cwd: dir, args: ['app.js', order], preload: false });
    assert.equal(baseline.code, 0, baseline.stderr);
    assert.equal(baseline.stdout, `${order} 10 20 2 4 30 40\n`);
    const run = await runApp({ cwd: dir, args: ['app.js', order], preload: 'require', probes });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, baseline.stdout);
    assert.equal(run.stderr, baseline.stderr);

    assert.deepEqual(statusesOf(run, 'app-util').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING']);
    assert.deepEqual(statusesOf(run, 'dep-util').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING']);
    assert.deepEqual(eventsOf(run, 'app-util')[0]!.debugger.snapshot.probe.location, { file: 'lib/util.js', lines: ['4'] });
    assert.deepEqual(eventsOf(run, 'dep-util')[0]!.debugger.snapshot.probe.location, { file: 'some-pkg/lib/util.js', lines: ['4'] });

    // The same outcome in both orders: the application's file has no code on line 7. Loaded
    // second, it takes the probe off the dependency's line 7 where it was installed meanwhile.
    const line7 = statusesOf(run, 'app-line-7');
    assert.deepEqual(line7.map((s) => s.status), order === 'app-first' ? ['RECEIVED', 'ERROR'] : ['RECEIVED', 'INSTALLED', 'ERROR']);
    const noCode = `Instrumentation for probe app-line-7 failed: No executable code at ${path.join(dir, 'lib/util.js')}:7; nearest lines with code: 6`;
    assert.equal(
      line7.at(-1)!.message,
      order === 'app-first' ? noCode : `${noCode} (lib/util.js matched ${path.join(dir, 'node_modules/some-pkg/lib/util.js')} until a better-matching file loaded)`,
    );

    const app = 'lib/util.js:4 appDouble';
    const dep = 'node_modules/some-pkg/lib/util.js:4 depScale';
    assert.deepEqual(hits(eventsOf(run, 'dep-util'), dir), [1, 2, 3, 4].map((i) => `${dep}(depInput=${i})`));
    assert.deepEqual(
      hits(eventsOf(run, 'app-util'), dir),
      order === 'app-first'
        ? [`${app}(appInput=1)`, `${app}(appInput=2)`]
        : // While the dependency's file is the only match, the probe is on it; once the
          // application's file loads, the probe moves there and leaves the dependency.
          [`${dep}(depInput=1)`, `${dep}(depInput=2)`, `${app}(appInput=1)`, `${app}(appInput=2)`],
    );
  });
}
