import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeAgent } from '../helpers/fake-agent.js';
import { tempDir } from './helpers/apps.js';
import { SymdbProcess, symdbUploads, type SymdbUpload } from './helpers/symdb-process.js';

let agent: FakeAgent;
before(async () => {
  agent = await FakeAgent.start();
});
after(async () => {
  await agent.close();
});

/** An app whose entry requires `count` small modules (random local names: they do not gzip away). */
function manyModulesApp(count: number): string {
  const root = tempDir('symdb-many-');
  mkdirSync(path.join(root, 'm'));
  const requires: string[] = [];
  for (let i = 0; i < count; i++) {
    const locals = Array.from({ length: 8 }, () => `v_${randomBytes(12).toString('hex')}`);
    const body = locals.map((l, j) => `  const ${l} = a + ${j};`).join('\n');
    writeFileSync(path.join(root, 'm', `mod${i}.js`), `exports.f${i} = function (a, b) {\n${body}\n  return b;\n};\n`);
    requires.push(`require('./m/mod${i}.js');`);
  }
  writeFileSync(path.join(root, 'main.js'), `${requires.join('\n')}\n`);
  return root;
}

function uploadsOfService(service: string): SymdbUpload[] {
  return symdbUploads(agent).filter((u) => u.event.service === service);
}

function names(uploads: readonly SymdbUpload[]): string[] {
  return uploads.flatMap((u) => u.attachment.scopes.map((s) => s.name));
}

test('at most 400 root scopes per upload, numbered batches, nothing lost or repeated', async (t) => {
  const count = 450;
  const app = await SymdbProcess.start({
    appRoot: manyModulesApp(count),
    entry: 'main.js',
    settings: { service: 'batching', agentUrl: agent.url.href, symbolDatabaseForceUpload: true },
    options: { hostDedup: false },
  });
  t.after(() => app.close());
  await app.waitForUploads();
  const uploads = uploadsOfService('batching');
  assert.deepEqual(uploads.map((u) => u.attachment.scopes.length), [400, count + 1 - 400]);
  assert.deepEqual(uploads.map((u) => [u.event.batchNum, u.attachment.batch_num]), [[1, 1], [2, 2]]);
  const all = names(uploads);
  assert.equal(new Set(all).size, all.length);
  assert.equal(all.length, count + 1);
});

test('payloads over the size cap are split in halves until they fit, never dropped', async (t) => {
  const count = 40;
  const maxPayloadBytes = 1500;
  const app = await SymdbProcess.start({
    appRoot: manyModulesApp(count),
    entry: 'main.js',
    settings: { service: 'splitting', agentUrl: agent.url.href, symbolDatabaseForceUpload: true },
    options: { hostDedup: false, maxPayloadBytes },
  });
  t.after(() => app.close());
  const stats = await app.waitForUploads();
  const uploads = uploadsOfService('splitting');
  assert.ok(uploads.length >= 4, `${uploads.length} uploads`);
  assert.deepEqual(uploads.map((u) => u.event.batchNum), uploads.map((_, i) => i + 1));
  for (const u of uploads) assert.ok(u.event.attachmentSize <= maxPayloadBytes || u.attachment.scopes.length === 1, `batch ${u.event.batchNum}: ${u.event.attachmentSize} bytes`);
  const all = names(uploads).sort();
  assert.equal(all.length, count + 1);
  assert.equal(new Set(all).size, count + 1);
  assert.equal(stats.bytesUploaded, uploads.reduce((n, u) => n + u.event.attachmentSize, 0));
});

test('failed uploads are retried with backoff; once given up, the file is uploaded again on its next load', async (t) => {
  const root = manyModulesApp(1);
  const app = await SymdbProcess.start({
    appRoot: root,
    entry: 'main.js',
    settings: { service: 'retrying', agentUrl: agent.url.href, symbolDatabaseForceUpload: true },
    options: { hostDedup: false, retry: { maxAttempts: 3, baseDelayMs: 20, jitter: 0 } },
  });
  t.after(() => app.close());
  agent.injectFault({ kind: 'status', status: 503 }, { path: '/symdb/v1/input', times: 2 });
  let stats = await app.waitForUploads();
  let uploads = uploadsOfService('retrying');
  assert.deepEqual(uploads.map((u) => [u.status, u.event.batchNum]), [[503, 1], [503, 1], [200, 1]]);
  assert.deepEqual([stats.uploads, stats.uploadFailures], [1, 0]);

  // Every attempt fails: the batch is given up, and the file is no longer counted as uploaded.
  writeFileSync(path.join(root, 'm', 'mod0.js'), 'exports.changed = function () {\n  return 1;\n};\n');
  agent.injectFault({ kind: 'status', status: 500 }, { path: '/symdb/v1/input', times: 3 });
  await app.send({ cmd: 'reload', file: 'm/mod0.js' });
  stats = await app.waitForUploads();
  assert.equal(stats.uploadFailures, 1);
  await app.send({ cmd: 'reload', file: 'm/mod0.js' });
  stats = await app.waitForUploads();
  uploads = uploadsOfService('retrying');
  assert.deepEqual(uploads.slice(3).map((u) => [u.status, u.event.batchNum]), [[500, 2], [500, 2], [500, 2], [200, 3]]);
  assert.deepEqual(names(uploads.slice(-1)), ['m/mod0.js']);
});

test('scripts beyond the extraction queue cap are dropped and counted in stats', async (t) => {
  const root = manyModulesApp(5);
  const app = await SymdbProcess.start({
    appRoot: root,
    entry: 'main.js',
    settings: { service: 'symdb-queue-cap', agentUrl: agent.url.href, symbolDatabaseForceUpload: true },
    // The back-fill queues all six application scripts in one turn: two fit, four do not.
    options: { hostDedup: false, maxQueuedScripts: 2 },
  });
  t.after(() => app.close());
  const stats = await app.waitForUploads();
  assert.equal(stats.scriptsQueued, 2);
  assert.equal(stats.scriptsDropped, 4);
  assert.equal(names(uploadsOfService('symdb-queue-cap')).length, 2);
});
