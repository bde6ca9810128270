import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import * as esbuild from 'esbuild';
import { eventsOf, logProbe, runApp, statusesOf, tempDir } from '../helpers/run-app.js';

// Original TypeScript sources; line numbers below refer to these texts.
const PRICING_TS = `export interface Item {
  price: number;
  qty: number;
}

export function priceOf(items: Item[], discount: number): number {
  let sum = 0;
  for (const item of items) {
    sum += item.price * item.qty;
  }
  const discounted: number = sum * (1 - discount);
  return discounted;
}
`;
const LABEL_TS = `export class Labeler {
  constructor(private readonly prefix: string) {}

  label(value: number): string {
    const text = \`\${this.prefix}:\${value.toFixed(2)}\`;
    return text;
  }
}
`;
const MAIN_TS = `import { priceOf } from './pricing';
import { Labeler } from './label';

const labeler = new Labeler('total');
let rounds = 0;
const timer = setInterval(() => {
  rounds++;
  const price = priceOf([{ price: 10, qty: rounds }], 0.5);
  labeler.label(price);
  if (rounds >= 3) clearInterval(timer);
}, 5);
`;

let root: string;

function writeSources(dir: string): void {
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src/pricing.ts'), PRICING_TS);
  writeFileSync(path.join(dir, 'src/label.ts'), LABEL_TS);
  writeFileSync(path.join(dir, 'src/main.ts'), MAIN_TS);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ts-fixture', type: 'commonjs' }));
}

before(() => {
  root = tempDir('periscope-ts-');
  // 1. tsc: one .js + .js.map per file in dist/, sources relative to the map.
  const tscDir = path.join(root, 'tsc');
  writeSources(tscDir);
  const program = ts.createProgram(
    ['pricing', 'label', 'main'].map((f) => path.join(tscDir, `src/${f}.ts`)),
    { outDir: path.join(tscDir, 'dist'), rootDir: path.join(tscDir, 'src'), sourceMap: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
  );
  const emit = program.emit();
  assert.equal(emit.emitSkipped, false);
  // 2. tsx-style: each file transformed on its own with an inline data: URL map.
  const inlineDir = path.join(root, 'inline');
  writeSources(inlineDir);
  for (const f of ['pricing', 'label', 'main']) {
    const src = path.join(inlineDir, `src/${f}.ts`);
    const out = esbuild.transformSync(readFileSync(src, 'utf8'), { loader: 'ts', format: 'cjs', sourcemap: 'inline', sourcefile: src });
    writeFileSync(path.join(inlineDir, `src/${f}.js`), out.code);
  }
  // 3. An esbuild bundle of several TS files, and 4. the same bundle minified to one line.
  for (const [name, minify] of [['bundle', false], ['minified', true]] as const) {
    const dir = path.join(root, name);
    writeSources(dir);
    esbuild.buildSync({ entryPoints: [path.join(dir, 'src/main.ts')], bundle: true, platform: 'node', sourcemap: true, minify, outfile: path.join(dir, 'out/app.js') });
  }
});

/** The generated file's own line of the loop body (`sum += …`), 1-based. */
function generatedLoopLine(dir: string, file: string): number {
  return readFileSync(path.join(root, dir, file), 'utf8').split('\n').findIndex((l) => l.includes('sum +=')) + 1;
}

/** `generated`: the compiled file, which stays targetable by its own lines beside its map. */
const probes = (generated?: { file: string; line: number }) => [
  logProbe('loop-body', 'src/pricing.ts', 9, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1000 } }),
  logProbe('method', 'src/label.ts', 6, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1000 } }),
  logProbe('type-only', 'src/pricing.ts', 2),
  ...(generated ? [logProbe('generated', generated.file, generated.line, { sampling: { snapshotsPerSecond: 1000 } })] : []),
];

function checkRun(run: Awaited<ReturnType<typeof runApp>>, label: string, generatedTargetable: boolean, minified = false): void {
  if (generatedTargetable) {
    assert.deepEqual(statusesOf(run, 'generated').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING'], `${label}: generated file`);
    assert.equal(eventsOf(run, 'generated').length, 3, `${label}: generated file hits`);
  }
  assert.equal(run.code, 0, `${label}: ${run.stderr}`);
  assert.deepEqual(statusesOf(run, 'loop-body').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING'], label);
  const loop = eventsOf(run, 'loop-body');
  assert.equal(loop.length, 3, `${label}: one hit per round`);
  const first = loop[0]!.debugger.snapshot;
  assert.deepEqual(first.probe.location, { file: 'src/pricing.ts', lines: ['9'] });
  const ctx = first.captures!.lines!['9']!;
  assert.ok('items' in ctx.arguments! && 'discount' in ctx.arguments!, `${label}: arguments ${Object.keys(ctx.arguments!)}`);
  assert.deepEqual(ctx.locals!['sum'], { type: 'number', value: '0' }, label);
  // The stack is source-mapped to the original TypeScript file and line.
  assert.match(first.stack![0]!.fileName, /src[\\/]pricing\.ts$/, label);
  assert.equal(first.stack![0]!.lineNumber, 9, label);

  if (minified) {
    // The minifier folded \`const text = …; return text;\` into one statement on line 5.
    const st = statusesOf(run, 'method');
    assert.deepEqual(st.map((s) => s.status), ['RECEIVED', 'ERROR'], label);
    assert.match(st[1]!.message, /label\.ts:6; nearest lines with code: 5, 7/);
    return;
  }
  const method = eventsOf(run, 'method');
  assert.equal(method.length, 3, label);
  const mctx = method[0]!.debugger.snapshot.captures!.lines!['6']!;
  assert.equal(mctx.locals!['text']!.type, 'string', label);
  assert.ok(mctx.arguments!['this'], `${label}: this captured`);

  const typeOnly = statusesOf(run, 'type-only');
  assert.deepEqual(typeOnly.map((s) => s.status), ['RECEIVED', 'ERROR'], label);
  // The first line with code after line 2 is the function's (6 or 7 depending on the compiler);
  // esbuild's per-file CommonJS transform maps its export preamble to line 1.
  const near = label === 'inline' ? /: 1, 7$/ : /: [67]$/;
  assert.match(typeOnly[1]!.message, /No executable code at .*pricing\.ts:2; nearest lines with code: /, label);
  assert.match(typeOnly[1]!.message, near, label);
}

test('tsc output with .js.map files: original TypeScript lines are targetable', async () => {
  const run = await runApp({ cwd: path.join(root, 'tsc'), args: ['dist/main.js'], preload: 'require', probes: probes({ file: 'dist/pricing.js', line: generatedLoopLine('tsc', 'dist/pricing.js') }) });
  checkRun(run, 'tsc', true);
});

test('tsx-style inline data: URL source maps', async () => {
  const run = await runApp({ cwd: path.join(root, 'inline'), args: ['src/main.js'], preload: 'require', probes: probes({ file: 'src/pricing.js', line: generatedLoopLine('inline', 'src/pricing.js') }) });
  checkRun(run, 'inline', true);
});

test('esbuild bundle of several TS files, plain and minified to one line', async () => {
  for (const name of ['bundle', 'minified']) {
    const generated = name === 'bundle' ? { file: 'out/app.js', line: generatedLoopLine(name, 'out/app.js') } : undefined;
    const run = await runApp({ cwd: path.join(root, name), args: ['out/app.js'], preload: 'require', probes: probes(generated) });
    checkRun(run, name, name === 'bundle', name === 'minified');
  }
});

test('a broken source map leaves the generated file targetable', async () => {
  const dir = path.join(root, 'broken');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'app.js'), 'function f(a) {\n  const b = a + 1;\n  return b;\n}\nfor (let i = 0; i < 3; i++) f(i);\n//# sourceMappingURL=app.js.map\n');
  writeFileSync(path.join(dir, 'app.js.map'), '{ this is not json');
  const run = await runApp({
    cwd: dir,
    args: ['app.js'],
    preload: 'require',
    probes: [logProbe('js', 'app.js', 3, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } }), logProbe('ts', 'src/app.ts', 3)],
  });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(statusesOf(run, 'js').map((s) => s.status), ['RECEIVED', 'INSTALLED', 'EMITTING']);
  assert.equal(eventsOf(run, 'js').length, 3);
  assert.deepEqual(statusesOf(run, 'ts').map((s) => s.status), ['RECEIVED']);
});
