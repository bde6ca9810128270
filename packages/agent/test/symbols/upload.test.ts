import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { FakeAgent } from '../helpers/fake-agent.js';
import { makeJsApp, makeTsApp, markerLine, SYMBOL_FIXTURES, tempDir } from './helpers/apps.js';
import { findScope, runHarness, SymdbProcess, symdbUploads, type SymdbUpload } from './helpers/symdb-process.js';

const schema = JSON.parse(readFileSync(path.join(SYMBOL_FIXTURES, 'library-symdb-v1-input-request.json'), 'utf8')) as object;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

/** The system-tests schema pins these values. */
const WEBLOG = { service: 'weblog', env: 'system-tests', version: '1.0.0' };

let agent: FakeAgent;
before(async () => {
  agent = await FakeAgent.start();
});
after(async () => {
  await agent.close();
});

function uploadsOf(runtimeId: string): SymdbUpload[] {
  return symdbUploads(agent).filter((u) => u.event.runtimeId === runtimeId);
}

function rootNames(uploads: readonly SymdbUpload[]): string[] {
  return uploads.flatMap((u) => u.attachment.scopes.map((s) => s.name)).sort();
}

function assertValid(upload: SymdbUpload): void {
  const asSchemaInput = [upload.eventPart, upload.filePart].map((p) => ({ headers: p.headers, content: p.json }));
  assert.ok(validate(asSchemaInput), JSON.stringify(validate.errors));
}

test('JS app: back-fill upload, hot-loaded code in one later upload, changed files uploaded again', async (t) => {
  const root = makeJsApp();
  const app = await SymdbProcess.start({
    appRoot: root,
    entry: 'main.js',
    settings: { ...WEBLOG, agentUrl: agent.url.href, symbolDatabaseForceUpload: true },
    options: { hostDedup: { dir: tempDir('symdb-markers-') }, debounceMs: 300 },
  });
  t.after(() => app.close());

  const first = await app.waitForUploads();
  const runtimeId = symdbUploads(agent).at(-1)?.event.runtimeId ?? '';
  let uploads = uploadsOf(runtimeId);
  assert.equal(uploads.length, 1);
  const [initial] = uploads;
  assert.ok(initial);
  // Application code only: not node_modules/dep, not the harness (agent code).
  assert.deepEqual(rootNames(uploads), ['lib/orders.js', 'main.js']);
  assertValid(initial);
  assert.equal(initial.eventPart.filename, 'event.json');
  assert.equal(initial.eventPart.contentType, 'application/json');
  assert.match(initial.filePart.filename ?? '', /^symbols_\d+\.json\.gz$/);
  assert.equal(initial.filePart.contentType, 'application/gzip');
  assert.equal(initial.filePart.gzipped, true);
  const { event, attachment } = initial;
  assert.deepEqual(
    { ddsource: event.ddsource, service: event.service, version: event.version, type: event.type, batchNum: event.batchNum, final: event.final, language: event.language },
    { ddsource: 'dd_debugger', service: 'weblog', version: '1.0.0', type: 'symdb', batchNum: 1, final: false, language: 'javascript' },
  );
  assert.ok(event.attachmentSize > 0);
  assert.equal('debugger' in event, false);
  assert.match(event.uploadId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(
    { upload_id: attachment.upload_id, batch_num: attachment.batch_num, final: attachment.final, env: attachment.env, language: attachment.language },
    { upload_id: event.uploadId, batch_num: 1, final: false, env: 'system-tests', language: 'javascript' },
  );
  assert.equal(first.uploadedScopes, 2);
  const orders = attachment.scopes.find((s) => s.name === 'lib/orders.js')!;
  assert.equal(findScope(orders, 'FUNCTION', 'total')?.start_line, markerLine(path.join(root, 'lib/orders.js'), 'total'));

  // A burst of later loads (lazy require, dynamic import, vm with a sourceURL): one more upload.
  await app.send({ cmd: 'require', file: 'lib/lazy.js' });
  await app.send({ cmd: 'import', file: 'lib/esm-lazy.mjs' });
  await app.send({ cmd: 'vm', code: 'function fromVm(a) {\n  return a * 2;\n}\nfromVm(1);', name: 'vm/generated.js' });
  await app.waitForUploads();
  uploads = uploadsOf(runtimeId);
  assert.equal(uploads.length, 2);
  const later = uploads[1]!;
  assert.deepEqual(rootNames([later]), ['lib/esm-lazy.mjs', 'lib/lazy.js', 'vm/generated.js']);
  assert.deepEqual([later.event.batchNum, later.event.uploadId], [2, event.uploadId]);
  assertValid(later);
  const fetchLater = findScope(later.attachment.scopes.find((s) => s.name === 'lib/esm-lazy.mjs')!, 'FUNCTION', 'fetchLater')!;
  assert.deepEqual(fetchLater.symbols.map((s) => s.name), ['url', 'retries', 'attempts']);
  assert.deepEqual(findScope(later.attachment.scopes.find((s) => s.name === 'vm/generated.js')!, 'FUNCTION', 'fromVm')?.injectible_lines, [{ start: 2, end: 2 }]);

  // Reloading an unchanged file uploads nothing; a changed file is uploaded again, whole.
  appendFileSync(path.join(root, 'lib/lazy.js'), 'module.exports.added = function added(x) {\n  return x;\n};\n');
  await app.send({ cmd: 'reload', file: 'lib/orders.js' });
  await app.send({ cmd: 'reload', file: 'lib/lazy.js' });
  const stats = await app.waitForUploads();
  uploads = uploadsOf(runtimeId);
  assert.equal(uploads.length, 3);
  assert.deepEqual(rootNames([uploads[2]!]), ['lib/lazy.js']);
  assert.deepEqual(uploads[2]!.attachment.scopes[0]!.scopes.map((s) => s.name), ['lazyWork', 'added']);
  assert.equal(stats.unchanged, 1);
  assert.equal(stats.uploads, 3);
});

test('TS app through tsc source maps: original files, names, types and mapped injectible lines', async (t) => {
  const root = makeTsApp();
  const app = await SymdbProcess.start({
    appRoot: root,
    entry: 'dist/main.js',
    settings: { ...WEBLOG, agentUrl: agent.url.href, symbolDatabaseUploadEnabled: true, symbolDatabaseForceUpload: true },
    options: { hostDedup: false },
  });
  t.after(() => app.close());
  await app.waitForUploads();
  const uploads = symdbUploads(agent).filter((u) => u.attachment.scopes.some((s) => s.name === 'src/main.ts'));
  assert.equal(uploads.length, 1);
  assertValid(uploads[0]!);
  assert.deepEqual(rootNames(uploads), ['src/main.ts', 'src/services/base.ts', 'src/services/user.ts']);
  const user = uploads[0]!.attachment.scopes.find((s) => s.name === 'src/services/user.ts')!;
  const at = (m: string): number => markerLine(path.join(root, 'src/services/user.ts'), m);
  const getUser = findScope(user, 'METHOD', 'getUser')!;
  assert.deepEqual(getUser.symbols.map((s) => `${s.name}:${s.type}`), ['id:string', 'fresh:null', 'key:string', 'user:User']);
  assert.equal(getUser.start_line, at('get-user'));
  assert.equal(getUser.injectible_lines[0]?.start, at('key'));
  const base = uploads[0]!.attachment.scopes.find((s) => s.name === 'src/services/base.ts')!;
  const describe = findScope(base, 'METHOD', 'describe')!;
  assert.deepEqual(describe.injectible_lines, [{ start: markerLine(path.join(root, 'src/services/base.ts'), 'describe') + 1, end: markerLine(path.join(root, 'src/services/base.ts'), 'describe') + 1 }]);
});

test('Remote Config toggle on/off/on: stop cancels, hot-load waits, re-enable uploads everything again', async (t) => {
  const root = makeJsApp();
  const app = await SymdbProcess.start({
    appRoot: root,
    entry: 'main.js',
    // Unset upload setting: follows DI, which is on; nothing starts before RC asks.
    settings: { ...WEBLOG, agentUrl: agent.url.href, dynamicInstrumentationEnabled: true },
    options: { hostDedup: { dir: tempDir('symdb-markers-') } },
  });
  t.after(() => app.close());
  const mine = (): SymdbUpload[] => symdbUploads(agent).filter((u) => u.attachment.scopes.some((s) => s.source_file.startsWith('lib/')) && u.event.service === 'weblog' && seen.has(u.event.uploadId));
  const seen = new Set<string>();

  let stats = await app.waitForUploads();
  assert.equal(stats.active, false);
  const before = symdbUploads(agent).length;

  await app.send({ cmd: 'enable', value: true });
  stats = await app.waitForUploads();
  assert.equal(stats.active, true);
  const on = symdbUploads(agent).slice(before);
  assert.equal(on.length, 1);
  seen.add(on[0]!.event.uploadId);
  assert.deepEqual(rootNames(on), ['lib/orders.js', 'main.js']);

  await app.send({ cmd: 'enable', value: false });
  await app.send({ cmd: 'require', file: 'lib/lazy.js' });
  stats = await app.waitForUploads();
  assert.equal(stats.active, false);
  assert.equal(mine().length, 1, 'nothing uploaded while off');

  await app.send({ cmd: 'enable', value: true });
  await app.waitForUploads();
  const all = mine();
  assert.equal(all.length, 2);
  assert.deepEqual(rootNames([all[1]!]), ['lib/lazy.js', 'lib/orders.js', 'main.js']);
  assert.deepEqual(all.map((u) => u.event.batchNum), [1, 2]);
});

test('no upload when the setting is false, or when it follows DI and DI is off', async (t) => {
  const apps = await Promise.all(
    [
      { symbolDatabaseUploadEnabled: false, dynamicInstrumentationEnabled: true },
      { dynamicInstrumentationEnabled: false },
    ].map((settings) =>
      SymdbProcess.start({
        appRoot: makeJsApp(),
        entry: 'main.js',
        settings: { ...WEBLOG, service: 'not-uploading', agentUrl: agent.url.href, ...settings },
        options: { hostDedup: false },
      }),
    ),
  );
  t.after(() => Promise.all(apps.map((a) => a.close())));
  for (const app of apps) {
    await app.send({ cmd: 'enable', value: true });
    const stats = await app.waitForUploads();
    assert.equal(stats.active, false);
  }
  assert.equal(symdbUploads(agent).filter((u) => u.event.service === 'not-uploading').length, 0);
});

test('the symbols worker never keeps the process alive', async () => {
  const run = await runHarness({
    mode: 'oneshot',
    appRoot: makeJsApp(),
    entry: 'main.js',
    settings: { ...WEBLOG, service: 'oneshot', agentUrl: agent.url.href, symbolDatabaseForceUpload: true },
    options: { hostDedup: false },
  });
  assert.equal(run.code, 0, run.stderr);
});
