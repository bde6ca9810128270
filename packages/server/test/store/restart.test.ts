import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DATABASE_FILE } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openSqlite } from '../../src/store/sqlite/index.js';
import { FakeTracer } from '../helpers/fake-tracer.js';
import { http, startTestServer } from '../helpers/test-server.js';

test('a restart keeps everything that was acknowledged', async () => {
  const t = await startTestServer();
  try {
    const probe = await http(`${t.url}/api/v1/probes`, { body: { target: 'src/a.ts:3', service: 'svc', captureSnapshot: true } });
    const tracer = new FakeTracer(t.url, { service: 'svc' });
    await tracer.poll();
    const stored = await http(`${t.url}/debugger/v2/input`, {
      body: [{ ddsource: 'dd_debugger', service: 'svc', message: 'kept', debugger: { snapshot: { id: 's-1', probe: { id: probe.body.id, version: 1 } } } }],
    });
    assert.equal(stored.status, 202);
    const form = new FormData();
    form.append('event', new Blob([JSON.stringify({ service: 'svc', runtimeId: tracer.runtimeId })], { type: 'application/json' }), 'event.json');
    const scopes = [{ scope_type: 'MODULE', source_file: 'src/a.ts', start_line: 0, end_line: 9, scopes: [{ scope_type: 'FUNCTION', name: 'keptFn', start_line: 1, end_line: 5 }] }];
    form.append('file', new Blob([gzipSync(JSON.stringify({ service: 'svc', version: '', language: 'javascript', scopes }))], { type: 'application/gzip' }), 'f.gz');
    const uploaded = await fetch(`${t.url}/symdb/v1/input`, { method: 'POST', body: form });
    await uploaded.arrayBuffer();
    assert.equal(uploaded.status, 202);

    await t.restart();

    assert.equal((await http(`${t.url}/api/v1/probes/${probe.body.id}`)).body.target, 'src/a.ts:3');
    assert.equal((await http(`${t.url}/api/v1/events?probeId=${probe.body.id}`)).body.events[0].message, 'kept');
    assert.equal((await http(`${t.url}/api/v1/symbols/search?q=keptFn`)).body.results[0].name, 'keptFn');
    assert.equal((await http(`${t.url}/api/v1/instances`)).body.instances[0].runtimeId, tracer.runtimeId);
    // The client's RC state survived too: nothing changed, so nothing is re-sent.
    assert.deepEqual((await tracer.poll()).response, {});
  } finally {
    await t.server.close();
    const db = openSqlite(join(t.dataDir, DATABASE_FILE), { readonly: true });
    const versions = (db.prepare('SELECT version FROM schema_version ORDER BY version').all() as Array<{ version: number }>).map((r) => r.version);
    db.close();
    assert.deepEqual(versions, MIGRATIONS.map((m) => m.version));
    await t.close();
  }
});

test('retention deletes events by age and by count', async () => {
  const t = await startTestServer({ retention: { maxEvents: 3 } });
  try {
    for (let i = 0; i < 1005; i += 201) {
      const batch = Array.from({ length: 201 }, (_, j) => ({
        ddsource: 'dd_debugger',
        service: 'r',
        message: `m${i + j}`,
        debugger: { snapshot: { id: `r-${i + j}`, probe: { id: 'p' } } },
      }));
      await http(`${t.url}/debugger/v2/input`, { body: batch });
    }
    const events = await http(`${t.url}/api/v1/events?probeId=p&limit=1000`);
    assert.equal(events.body.events.length, 3);
    assert.deepEqual(events.body.events.map((e: any) => e.message).sort(), ['m1002', 'm1003', 'm1004']);
  } finally {
    await t.close();
  }
});
