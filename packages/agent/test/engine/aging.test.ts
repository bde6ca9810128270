import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import typescript from 'typescript';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FIXTURES, runApp, tempDir } from '../helpers/run-app.js';

// rxjs ships its TypeScript sources (src/*.ts) and a CommonJS build with .js.map files: a large
// real TypeScript code base (~220 files loaded by its index).
const require = createRequire(import.meta.url);
let appDir: string;

interface Outcome {
  key: string;
  state: 'installed' | 'pending' | 'error';
  topLevel?: boolean;
  message: string;
}
interface Report {
  candidates: number;
  results: Outcome[];
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

async function probeLines(mode: 'early' | 'late'): Promise<Report> {
  const run = await runApp({
    cwd: path.join(FIXTURES, 'engine/aging'),
    args: ['--expose-gc', 'probe-lines.cjs', appDir, mode, '20261122', '700'],
    preload: false,
    timeoutMs: 120_000,
  });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Report;
}

test('code loaded long before the probe: in-function lines install after aging, load-time lines are explained', async (t) => {
  const early = await probeLines('early');
  const late = await probeLines('late');
  assert.ok(early.candidates > 3000, `candidates ${early.candidates}`);
  const lateByKey = new Map(late.results.map((r) => [r.key, r]));

  // Ground truth from a fresh process where the agent saw every script load.
  const inFunction = early.results.filter((r) => r.state === 'installed' && r.topLevel === false);
  assert.ok(inFunction.length > 200, `in-function lines in the sample: ${inFunction.length}`);
  const installedLate = inFunction.filter((r) => lateByKey.get(r.key)?.state === 'installed');
  const ratio = installedLate.length / inFunction.length;
  assert.ok(ratio >= 0.99, `in-function lines installed after aging: ${(ratio * 100).toFixed(1)} %`);

  // Load-time lines whose module already ran are installed with an explanation.
  const topLevelLate = late.results.filter((r) => r.state === 'installed' && r.topLevel === true);
  assert.ok(topLevelLate.length > 20, `top-level lines: ${topLevelLate.length}`);
  for (const r of topLevelLate) assert.match(r.message, /module top-level code that already executed.*will not fire/, r.key);

  // Files the loader loaded but whose code V8 collected: an explicit error, never "pending".
  assert.equal(late.results.filter((r) => r.state === 'pending').length, 0, 'no probe left pending on a loaded file');
  const collected = late.results.filter((r) => /garbage-collected its code/.test(r.message));
  for (const r of collected) assert.equal(r.state, 'error');
  if (late.coverage.collectedFiles.length > 0) {
    // Node 20's V8 collects rxjs's top-level-only files (config.js, symbol/observable.js, …).
    assert.ok(collected.length > 0, 'some sampled lines are in collected files');
  } else {
    t.diagnostic(`V8 ${process.versions.v8} kept every script alive: no collected files to report`);
  }

  // Lines without code are errors naming the nearest lines; never moved to a neighbour.
  const noCode = late.results.filter((r) => /No executable code/.test(r.message));
  assert.ok(noCode.length > 50);
  for (const r of noCode) {
    assert.equal(r.state, 'error');
    assert.match(r.message, /nearest lines with code: \d+/);
  }
  // 100 % of live files with runtime code are targetable; the others are type-only modules.
  for (const f of late.coverage.files.filter((x) => x.linesWithCode === 0)) {
    const ts = readFileSync(path.join(appDir, f.file), 'utf8');
    const js = typescript.transpileModule(ts, { compilerOptions: { module: typescript.ModuleKind.CommonJS } }).outputText;
    const runtime = js.split('\n').filter((l) => l.trim() && !/^("use strict";|Object\.defineProperty\(exports, "__esModule"|\/\/)/.test(l.trim()));
    assert.deepEqual(runtime, [], `${f.file} has runtime code but no targetable line`);
  }
  const totals = late.coverage.totals;
  assert.ok(totals.loadTimeLines > 0 && totals.loadTimeLines < totals.linesWithCode, `load-time lines ${totals.loadTimeLines} of ${totals.linesWithCode}`);
});
