import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer } from '../../src/index.js';
import { DATABASE_FILE, openDatabase } from '../../src/store/database.js';
import { EventStore, type NewEvent } from '../../src/store/event-store.js';
import { InstanceStore } from '../../src/store/instance-store.js';
import { RcClientStore } from '../../src/store/rc-client-store.js';
import { StatusStore } from '../../src/store/status-store.js';
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

test('retention keeps at most maxEvents events, the newest', async () => {
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

const DAY = 24 * 3600 * 1000;

function event(id: string): NewEvent {
  return { snapshotId: id, probeId: 'age', probeVersion: 1, service: 'svc', host: '', kind: 'log', message: id, timestamp: 0, event: {} };
}

test('retention deletes events received longer ago than maxAgeMs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'periscope-age-'));
  const db = openDatabase(dir);
  try {
    const events = new EventStore(db);
    const now = Date.UTC(2025, 0, 10);
    events.insert([event('ten-days')], now - 10 * DAY);
    events.insert([event('three-days')], now - 3 * DAY);
    events.insert([event('just-now')], now);
    const policy = { maxAgeMs: 7 * DAY, maxEvents: 1000 };
    assert.equal(events.prune(policy, now), 1);
    assert.deepEqual(events.query({ probeId: 'age', limit: 10 }).map((e) => e.message).sort(), ['just-now', 'three-days']);
    // Two days later the three-day-old one crosses the line too.
    assert.equal(events.prune(policy, now + 5 * DAY), 1);
    assert.deepEqual(events.query({ probeId: 'age', limit: 10 }).map((e) => e.message), ['just-now']);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('instances and Remote Config clients not seen for instanceMaxAgeMs are forgotten, at startup too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'periscope-instances-'));
  try {
    const db = openDatabase(dir);
    const now = Date.now();
    const instances = new InstanceStore(db);
    const clients = new RcClientStore(db);
    const statuses = new StatusStore(db);
    const seen = (runtimeId: string, at: number) => {
      instances.upsert({ runtimeId, service: 'svc', env: '', appVersion: '', language: 'javascript', tracerVersion: '', host: '', clientId: `c-${runtimeId}`, products: [] }, at);
      clients.save({ clientId: `c-${runtimeId}`, runtimeId, service: 'svc', env: '', products: [], servedVersion: 1, servedDigest: '', configStates: [], hasError: false, error: '', lastSeen: at });
      statuses.record([{ probeId: 'p', runtimeId, probeVersion: 1, status: 'INSTALLED', message: '', exception: null, service: 'svc' }], at);
    };
    seen('gone-long-ago', now - 30 * DAY);
    seen('old', now - 10 * DAY);
    seen('recent', now - 2 * DAY);
    // Directly, with an explicit clock: 20 days forgets only the first.
    assert.equal(instances.prune(20 * DAY, now), 1);
    assert.equal(clients.prune(20 * DAY, now), 1);
    assert.deepEqual(instances.list().map((i) => i.runtimeId).sort(), ['old', 'recent']);
    assert.deepEqual(statuses.forProbe('p').map((s) => s.runtimeId).sort(), ['old', 'recent']);
    db.close();

    // The server prunes with its configured age when it starts (default 7 days).
    const server = await startServer({ port: 0, dataDir: dir, dslCompiler: null });
    try {
      assert.deepEqual((await http(`${server.url}/api/v1/instances`)).body.instances.map((i: any) => i.runtimeId), ['recent']);
    } finally {
      await server.close();
    }
    const check = openDatabase(dir);
    assert.deepEqual(new RcClientStore(check).all().map((c) => c.runtimeId), ['recent']);
    assert.deepEqual(new StatusStore(check).forProbe('p').map((s) => s.runtimeId), ['recent']);
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
