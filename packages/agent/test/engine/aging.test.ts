import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import typescript from 'typescript';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FIXTURES, runApp, tempDir } from '../helpers/run-app.js';

// rxjs ships its TypeScript sources (src/*.ts) and a CommonJS build with .js.map files: a large
// real TypeScript code base (~220 files loaded by its index), compiled to ES5 class wrappers.
const require = createRequire(import.meta.url);
let appDir: string;

interface Outcome {
  key: string;
  state: 'installed' | 'pending' | 'error' | 'missing';
  /** Every installed location is load-time code. */
  loadTime?: boolean;
  message: string;
  emitted?: boolean;
}
interface Report {
  counts: { fn: number; load: number; blank: number };
  results: Array<Outcome & { kind: 'fn' | 'load' | 'blank' }>;
  fired: Outcome[];
  declarations: Outcome[];
  coverage: {
    totals: { files: number; filesWithCode: number; linesWithCode: number; loadTimeLines: number };
    files: Array<{ file: string; linesWithCode: number }>;
    collectedFiles: string[];
  };
}

before(() => {
  const rxjs = path.dirname(require.resolve('rxjs/package.json'));
  appDir = tempDir('periscope-aging-');
  // Copied out of node_modules so that it counts as application code.
  for (const part of ['dist/cjs', 'src', 'package.json']) cpSync(path.join(rxjs, part), path.join(appDir, 'rxjs', part), { recursive: true });
  mkdirSync(path.join(appDir, 'node_modules'), { recursive: true });
  cpSync(path.dirname(require.resolve('tslib/package.json')), path.join(appDir, 'node_modules/tslib'), { recursive: true });
  writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: 'aging-app', type: 'commonjs' }));
});

test('code loaded long before the probe: in-function lines install and fire after aging, load-time lines are explained', async (t) => {
  // Line kinds come from the TypeScript sources' syntax tree (see the fixture), not from the agent.
  const run = await runApp({
    cwd: path.join(FIXTURES, 'engine/aging'),
    args: ['--expose-gc', 'probe-lines.cjs', appDir, '20261122', '600'],
    preload: false,
    timeoutMs: 120_000,
  });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.ok(report.counts.fn > 1500, `in-function statement lines: ${report.counts.fn}`);

  // ≥ 99 % of in-function lines are INSTALLED, as code that can run again.
  const inFunction = report.results.filter((r) => r.kind === 'fn');
  assert.equal(inFunction.length, 600);
  const ok = inFunction.filter((r) => r.state === 'installed' && r.loadTime === false);
  const failed = inFunction.filter((r) => !ok.includes(r)).map((r) => `${r.key} ${r.state} ${r.message}`);
  assert.ok(ok.length / inFunction.length >= 0.99, `in-function lines installed after aging: ${ok.length}/${inFunction.length}\n${failed.join('\n')}`);
  t.diagnostic(`in-function lines installed: ${ok.length}/${inFunction.length}`);

  // Methods a small pipeline calls: probes on their first statement fire.
  assert.ok(report.fired.length >= 8);
  for (const r of report.fired) {
    assert.equal(r.state, 'installed', `${r.key}: ${r.message}`);
    assert.equal(r.emitted, true, `${r.key} did not fire`);
  }
  // The ES5 class wrapper: `lift<R>(` maps only to `Observable.prototype.lift = function`, which
  // ran at load; `subscribe(` also maps to the method's own first statement, which fires.
  const [liftDecl, subscribeDecl] = report.declarations;
  assert.equal(liftDecl!.state, 'installed');
  assert.equal(liftDecl!.loadTime, true);
  assert.match(liftDecl!.message, /module top-level code that already executed.*will not fire/);
  assert.equal(liftDecl!.emitted, false);
  assert.equal(subscribeDecl!.state, 'installed');
  assert.equal(subscribeDecl!.loadTime, false);
  assert.equal(subscribeDecl!.emitted, true);

  // Load-time lines whose module already ran are installed with an explanation, or, when V8
  // collected the whole file (Node 20), an explicit error; never pending.
  const load = report.results.filter((r) => r.kind === 'load');
  assert.ok(load.length > 20, `load-time lines: ${load.length}`);
  for (const r of load) {
    if (r.state === 'installed') assert.match(r.message, /module top-level code that already executed.*will not fire/, r.key);
    else {
      assert.equal(r.state, 'error', `${r.key}: ${r.state} ${r.message}`);
      assert.match(r.message, /garbage-collected its code/, r.key);
    }
  }
  if (report.coverage.collectedFiles.length > 0) {
    // Node 20's V8 collects rxjs's top-level-only files (config.js, scheduler/async.js, …).
    assert.ok(load.some((r) => r.state === 'error'), 'some sampled load-time lines are in collected files');
  } else {
    t.diagnostic(`V8 ${process.versions.v8} kept every script alive: no collected files to report`);
  }

  // Blank and comment lines inside functions are errors naming the nearest lines; never moved.
  const blank = report.results.filter((r) => r.kind === 'blank');
  assert.ok(blank.length > 100);
  for (const r of blank) {
    assert.equal(r.state, 'error', r.key);
    assert.match(r.message, /No executable code.*nearest lines with code: \d+/, r.key);
  }

  // 100 % of live files with runtime code are targetable; the others are type-only modules.
  for (const f of report.coverage.files.filter((x) => x.linesWithCode === 0)) {
    const ts = readFileSync(path.join(appDir, f.file), 'utf8');
    const js = typescript.transpileModule(ts, { compilerOptions: { module: typescript.ModuleKind.CommonJS } }).outputText;
    const runtime = js.split('\n').filter((l) => l.trim() && !/^("use strict";|Object\.defineProperty\(exports, "__esModule"|\/\/)/.test(l.trim()));
    assert.deepEqual(runtime, [], `${f.file} has runtime code but no targetable line`);
  }
  const totals = report.coverage.totals;
  assert.ok(totals.loadTimeLines > 0 && totals.loadTimeLines < totals.linesWithCode, `load-time lines ${totals.loadTimeLines} of ${totals.linesWithCode}`);
});
