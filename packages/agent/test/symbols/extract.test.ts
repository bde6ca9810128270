import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileExtractor, gitBlobHash, UNKNOWN_MAX_LINE, type SymdbScope } from '../../src/symbols/index.js';
import { makeJsApp, makeTsApp, markerLine, tempDir } from './helpers/apps.js';
import { findScope, injectibleLines } from './helpers/symdb-process.js';

function extractOne(ex: FileExtractor, file: string, isModule = false): SymdbScope[] {
  return ex.extract({ path: file, url: `file://${file}`, isModule }).map((r) => r.scope);
}

function symbols(scope: SymdbScope): string[] {
  return scope.symbols.map((s) => `${s.symbol_type} ${s.name}:${s.line}${s.type === null ? '' : `:${s.type}`}`);
}

test('git blob hash is the git hash-object of the bytes', () => {
  assert.equal(gitBlobHash('hello\n'), 'ce013625030ba8dba906f756967f9e9ca394464a');
  const dir = tempDir('symdb-hash-');
  const file = path.join(dir, 'x.js');
  writeFileSync(file, 'const é = "ü";\r\nmodule.exports = é;\n');
  let expected: string | undefined;
  try {
    expected = execFileSync('git', ['hash-object', '--no-filters', file], { encoding: 'utf8' }).trim();
  } catch {
    // git not installed: the known vector above still checks the algorithm.
  }
  if (expected) assert.equal(gitBlobHash(readFileSync(file)), expected);
});

test('JavaScript: module, classes, functions, closures, blocks, symbols and injectible lines', () => {
  const root = makeJsApp();
  const file = path.join(root, 'lib/orders.js');
  const at = (m: string): number => markerLine(file, m);
  const [mod] = extractOne(new FileExtractor({ appRoot: root, includes: [] }), file);
  assert.ok(mod);
  assert.equal(mod.scope_type, 'MODULE');
  assert.equal(mod.name, 'lib/orders.js');
  assert.equal(mod.source_file, 'lib/orders.js');
  assert.deepEqual([mod.start_line, mod.end_line], [0, UNKNOWN_MAX_LINE]);
  assert.deepEqual(mod.language_specifics, { file_hash: gitBlobHash(readFileSync(file)) });
  assert.deepEqual(symbols(mod), [`STATIC_FIELD EventEmitter:2`, `STATIC_FIELD TAX:${at('tax')}`]);

  const order = findScope(mod, 'CLASS', 'Order')!;
  assert.deepEqual([order.start_line, order.end_line], [at('class-start'), at('class-end')]);
  assert.deepEqual(order.language_specifics, { super_classes: ['EventEmitter'] });
  assert.deepEqual(symbols(order), ['FIELD status:0', `STATIC_FIELD count:${at('static-count')}`, 'FIELD #secret:0', 'FIELD id:0', 'FIELD items:0']);
  assert.deepEqual(
    order.scopes.map((s) => `${s.scope_type} ${s.name}`),
    ['METHOD constructor', 'METHOD size', 'METHOD addItem', 'METHOD create'],
  );
  assert.deepEqual(findScope(order, 'METHOD', 'size')!.language_specifics, { method_type: 'instance', kind: 'get' });
  assert.deepEqual(findScope(order, 'METHOD', 'create')!.language_specifics, { method_type: 'static' });
  assert.deepEqual(symbols(findScope(order, 'METHOD', 'create')!), ['ARG items:0']);

  const addItem = findScope(order, 'METHOD', 'addItem')!;
  assert.equal(addItem.start_line, at('add-item'));
  assert.deepEqual(symbols(addItem), ['ARG item:0', 'ARG qty:0', 'ARG note:0']);
  // Block scopes that declare something: the for loop (i) and the catch clause (err).
  const forScope = addItem.scopes.find((s) => s.scope_type === 'LOCAL' && s.name === 'for')!;
  assert.deepEqual(symbols(forScope), [`LOCAL i:${at('for')}`]);
  const catchScope = addItem.scopes.find((s) => s.scope_type === 'LOCAL' && s.name === 'catch')!;
  assert.deepEqual(symbols(catchScope), [`LOCAL err:${at('catch')}`]);
  const callback = findScope(addItem, 'CLOSURE', 'this.items.map callback')!;
  assert.deepEqual(symbols(callback), ['ARG x:0']);
  assert.deepEqual(injectibleLines(callback), [at('map')]);
  // Statement starts of the method's own body: the for loop and its body, the try body, the catch body, the return.
  assert.deepEqual(injectibleLines(addItem), [at('for'), at('for') + 1, at('for') + 4, at('catch') + 1, at('map')]);
  assert.equal(addItem.has_injectible_lines, true);
  assert.equal(order.has_injectible_lines, true);
  assert.deepEqual(order.injectible_lines, []);

  const total = findScope(mod, 'FUNCTION', 'total')!;
  assert.deepEqual(symbols(total), ['ARG items:0', 'ARG qty:0', `LOCAL sum:${at('total') + 1}`, `LOCAL withTax:${at('total') + 5}`]);
  assert.deepEqual(symbols(total.scopes[0]!), [`LOCAL item:${at('total') + 2}`]);
  assert.deepEqual(total.injectible_lines, [{ start: at('total') + 1, end: at('total') + 3 }, { start: at('total') + 5, end: at('total') + 6 }]);

  // Functions bound by assignment keep the name a user would look for.
  assert.equal(findScope(mod, 'FUNCTION', 'Legacy.prototype.greet')?.start_line, at('greet'));
  assert.equal(findScope(mod, 'FUNCTION', 'double')?.start_line, at('double'));
  assert.deepEqual(findScope(mod, 'FUNCTION', 'triple')?.injectible_lines, [{ start: at('triple'), end: at('triple') }]);
});

test('JavaScript: object-literal methods and anonymous callbacks are scopes; dependencies are not extracted', () => {
  const root = makeJsApp();
  const main = path.join(root, 'main.js');
  const at = (m: string): number => markerLine(main, m);
  const ex = new FileExtractor({ appRoot: root, includes: [] });
  const [mod] = extractOne(ex, main);
  assert.ok(mod);
  assert.deepEqual(mod.scopes.map((s) => `${s.scope_type} ${s.name}:${s.start_line}`), [
    `FUNCTION handle:${at('handle')}`,
    `FUNCTION get:${at('router-get')}`,
    `CLOSURE router.get('/orders') callback:${at('callback')}`,
  ]);
  const handle = findScope(mod, 'FUNCTION', 'handle')!;
  assert.deepEqual(symbols(handle), ['ARG req:0', 'ARG res:0', `LOCAL order:${at('handle') + 1}`]);
  assert.deepEqual(symbols(handle.scopes[0]!), [`LOCAL extra:${at('extra')}`]);
  assert.equal(handle.scopes[0]!.scope_type, 'LOCAL');
});

test('TypeScript through source maps on disk: original names, lines, types; injectible lines mapped back', () => {
  const root = makeTsApp();
  const userTs = path.join(root, 'src/services/user.ts');
  const at = (m: string): number => markerLine(userTs, m);
  const ex = new FileExtractor({ appRoot: root, includes: [] });
  const roots = ex.extract({ path: path.join(root, 'dist/services/user.js'), url: 'x', isModule: false });
  assert.deepEqual(roots.map((r) => r.name), ['src/services/user.ts']);
  const mod = roots[0]!.scope;
  assert.equal(mod.language_specifics!['file_hash'], gitBlobHash(readFileSync(userTs)));
  assert.deepEqual(symbols(mod), [`STATIC_FIELD DEFAULT_TTL:${at('user-service') - 7}:number`]);

  const svc = findScope(mod, 'CLASS', 'UserService')!;
  assert.equal(svc.start_line, at('user-service'));
  assert.deepEqual(svc.language_specifics, { super_classes: ['BaseService'] });
  assert.deepEqual(symbols(svc), [
    'FIELD cache:0:Map<string, User>',
    `STATIC_FIELD instances:${at('user-service') + 2}:number`,
    'FIELD prefix:0:string',
  ]);
  const ctor = findScope(svc, 'METHOD', 'constructor')!;
  assert.deepEqual(symbols(ctor), ['ARG prefix:0:string']);
  const getUser = findScope(svc, 'METHOD', 'getUser')!;
  assert.equal(getUser.start_line, at('get-user'));
  assert.deepEqual(getUser.language_specifics, { method_type: 'instance', function_type: 'async', return_type: 'Promise<User | undefined>' });
  assert.deepEqual(symbols(getUser), ['ARG id:0:string', 'ARG fresh:0', `LOCAL key:${at('key')}:string`, `LOCAL user:${at('key') + 5}:User`]);
  // Every statement of getUser compiles to code tsc maps back to its line (async functions stay native at ES2022).
  assert.deepEqual(getUser.injectible_lines, [
    { start: at('key'), end: at('key') + 3 },
    { start: at('key') + 5, end: at('key') + 7 },
  ]);
  const make = findScope(mod, 'FUNCTION', 'makeService')!;
  assert.deepEqual(symbols(make), ['ARG prefix:0:string']);
  assert.deepEqual(make.language_specifics, { return_type: 'UserService' });
  assert.deepEqual(make.injectible_lines, [{ start: at('make-service') + 1, end: at('make-service') + 1 }]);
});

test('TypeScript with inline map and sourcesContent: extracted even when the .ts files are gone; one root per source', () => {
  const root = makeTsApp({ inline: true });
  rmSync(path.join(root, 'src'), { recursive: true });
  const ex = new FileExtractor({ appRoot: root, includes: [] });
  const roots = ex.extract({ path: path.join(root, 'dist/main.js'), url: 'x', isModule: false });
  assert.deepEqual(roots.map((r) => r.name), ['src/main.ts']);
  const handler = findScope(roots[0]!.scope, 'FUNCTION', 'handler')!;
  assert.deepEqual(symbols(handler), ['ARG id:0:string', `LOCAL service:${handler.start_line + 1}`]);
  assert.deepEqual(handler.injectible_lines, [{ start: handler.start_line + 1, end: handler.start_line + 2 }]);
  assert.deepEqual(handler.language_specifics, { function_type: 'async' });
});

test('source map whose originals are neither on disk nor in sourcesContent: the generated file is extracted, and counted', () => {
  const root = makeTsApp();
  rmSync(path.join(root, 'src'), { recursive: true });
  const ex = new FileExtractor({ appRoot: root, includes: [] });
  const roots = ex.extract({ path: path.join(root, 'dist/services/user.js'), url: 'x', isModule: false });
  assert.deepEqual(roots.map((r) => r.name), ['dist/services/user.js']);
  assert.equal(ex.counters.originalsMissing, 1);
  assert.equal(ex.counters.brokenSourceMaps, 0);
  // The generated JavaScript's own structure and lines.
  const user = findScope(roots[0]!.scope, 'CLASS', 'UserService');
  assert.ok(user, 'the compiled class is in the generated root');
  assert.equal(roots[0]!.fileHash, gitBlobHash(readFileSync(path.join(root, 'dist/services/user.js'))));
  // Unchanged on its next load, like any file.
  assert.deepEqual(ex.extract({ path: path.join(root, 'dist/services/user.js'), url: 'x', isModule: false }), []);
  assert.equal(ex.counters.unchanged, 1);
});

test('a bundle with many sources gives one root per wanted source; node_modules sources only when included', async () => {
  const root = makeJsApp();
  const esbuild = await import('esbuild');
  const outfile = path.join(root, 'bundle.js');
  await esbuild.build({ entryPoints: [path.join(root, 'main.js')], bundle: true, platform: 'node', outfile, sourcemap: true, logLevel: 'silent' });
  const job = { path: outfile, url: 'x', isModule: false };
  const plain = new FileExtractor({ appRoot: root, includes: [] }).extract(job);
  assert.deepEqual(plain.map((r) => r.name).sort(), ['lib/orders.js', 'main.js']);
  const withDep = new FileExtractor({ appRoot: root, includes: ['dep'] }).extract(job);
  assert.deepEqual(withDep.map((r) => r.name).sort(), ['lib/orders.js', 'main.js', 'node_modules/dep/index.js']);
  // Injectible lines survive the bundler's rewrite.
  const total = findScope(plain.find((r) => r.name === 'lib/orders.js')!.scope, 'FUNCTION', 'total')!;
  const at = markerLine(path.join(root, 'lib/orders.js'), 'total');
  assert.deepEqual(injectibleLines(total), [at + 1, at + 2, at + 3, at + 5, at + 6]);
});

test('de-duplication by (path, content hash); size and file caps are counted', () => {
  const dir = tempDir('symdb-dedup-');
  const a = path.join(dir, 'a.js');
  writeFileSync(a, 'function one() { return 1; }\n');
  const ex = new FileExtractor({ appRoot: dir, includes: [], maxFiles: 2, maxFileBytes: 1000 });
  assert.equal(extractOne(ex, a).length, 1);
  assert.equal(extractOne(ex, a).length, 0, 'same content: not again');
  assert.equal(ex.counters.unchanged, 1);
  writeFileSync(a, 'function one() { return 1; }\nfunction two() { return 2; }\n');
  const [changed] = extractOne(ex, a);
  assert.deepEqual(changed!.scopes.map((s) => s.name), ['one', 'two'], 'changed content: extracted again');

  const big = path.join(dir, 'big.js');
  writeFileSync(big, `// ${'x'.repeat(1001)}\n`);
  assert.equal(extractOne(ex, big).length, 0);
  assert.equal(ex.counters.skippedTooLarge, 1);

  mkdirSync(path.join(dir, 'more'));
  for (const n of ['b', 'c']) writeFileSync(path.join(dir, 'more', `${n}.js`), `exports.${n} = 1;\n`);
  assert.equal(extractOne(ex, path.join(dir, 'more/b.js')).length, 1);
  assert.equal(extractOne(ex, path.join(dir, 'more/c.js')).length, 0, 'third distinct file over maxFiles = 2');
  assert.equal(ex.counters.skippedFileLimit, 1);
});

test('broken input is counted, never thrown: syntax errors, missing files, broken source maps', () => {
  const dir = tempDir('symdb-bad-');
  const ex = new FileExtractor({ appRoot: dir, includes: [] });
  writeFileSync(path.join(dir, 'syntax.js'), 'function ok(a) { return a; }\nfunction broken( {\n');
  const roots = extractOne(ex, path.join(dir, 'syntax.js'));
  assert.equal(ex.counters.parseErrors, 1);
  assert.ok(roots.length <= 1);
  assert.deepEqual(extractOne(ex, path.join(dir, 'missing.js')), []);
  assert.equal(ex.counters.extractionErrors, 1);
  writeFileSync(path.join(dir, 'mapped.js'), 'exports.f = function (x) {\n  return x;\n};\n//# sourceMappingURL=nope.js.map\n');
  const [mapped] = extractOne(ex, path.join(dir, 'mapped.js'));
  assert.equal(ex.counters.brokenSourceMaps, 1);
  assert.equal(mapped!.name, 'mapped.js', 'falls back to the generated file');
  const code = 'function evaluated(a) {\n  return a + 1;\n}\n';
  const [vmRoot] = ex.extract({ url: 'vm/generated.js', isModule: false, source: code }).map((r) => r.scope);
  assert.equal(vmRoot!.name, 'vm/generated.js');
  assert.deepEqual(findScope(vmRoot!, 'FUNCTION', 'evaluated')!.injectible_lines, [{ start: 2, end: 2 }]);
});
