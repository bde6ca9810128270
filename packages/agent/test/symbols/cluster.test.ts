import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeAgent } from '../helpers/fake-agent.js';
import { makeJsApp, tempDir } from './helpers/apps.js';
import { runHarness, symdbUploads } from './helpers/symdb-process.js';
import type { SymbolDatabaseStats } from '../../src/symbols/index.js';

let agent: FakeAgent;
before(async () => {
  agent = await FakeAgent.start();
});
after(async () => {
  await agent.close();
});

async function runCluster(service: string, hostDedup: false | { dir: string; claimTtlMs: number }): Promise<SymbolDatabaseStats[]> {
  const run = await runHarness({
    mode: 'cluster',
    workers: 2,
    appRoot: makeJsApp(),
    entry: 'main.js',
    settings: { service, version: '1.0.0', agentUrl: agent.url.href, symbolDatabaseForceUpload: true },
    options: { hostDedup },
  });
  assert.equal(run.code, 0, run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { stats: SymbolDatabaseStats }).stats);
}

function uploadedNames(service: string): string[] {
  return symdbUploads(agent)
    .filter((u) => u.event.service === service)
    .flatMap((u) => u.attachment.scopes.map((s) => s.name))
    .sort();
}

test('two cluster workers with the same code upload each file once between them', async () => {
  const stats = await runCluster('cluster-dedup', { dir: tempDir('symdb-markers-'), claimTtlMs: 2000 });
  assert.equal(stats.length, 2);
  assert.deepEqual(uploadedNames('cluster-dedup'), ['lib/orders.js', 'main.js']);
  // Each worker extracted both files; what one uploaded, the other skipped.
  assert.deepEqual(stats.map((s) => s.filesExtracted), [2, 2]);
  assert.equal(stats.reduce((n, s) => n + s.uploadedScopes + s.hostDuplicates, 0), 4);
  // Each worker still has its own upload id and runtime id.
  const events = symdbUploads(agent).filter((u) => u.event.service === 'cluster-dedup').map((u) => u.event);
  assert.equal(new Set(events.map((e) => e.uploadId)).size, events.length);
});

test('without host coordination each worker uploads everything (the control)', async () => {
  await runCluster('cluster-control', false);
  assert.deepEqual(uploadedNames('cluster-control'), ['lib/orders.js', 'lib/orders.js', 'main.js', 'main.js']);
});
