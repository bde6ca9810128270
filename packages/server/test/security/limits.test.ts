import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startServer } from '../../src/index.js';
import { http, startTestServer, type TestServer } from '../helpers/test-server.js';

describe('limits and authentication', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ bodyLimitBytes: 64 * 1024, maxInflatedBytes: 1024 * 1024, symbolUploadLimitBytes: 256 * 1024 });
  });
  after(() => t.close());

  test('an oversized JSON body gets 413 with a clear message', async () => {
    const big = [{ ddsource: 'dd_debugger', message: 'x'.repeat(100 * 1024), debugger: { snapshot: { probe: { id: 'p' } } } }];
    const res = await http(`${t.url}/debugger/v2/input`, { body: big });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'PERISCOPE_ERR_PAYLOAD_TOO_LARGE');
    const api = await http(`${t.url}/api/v1/probes`, { body: { target: 'a.ts:1', template: 'y'.repeat(70 * 1024) } });
    assert.equal(api.status, 413);
    const ignored = await http(`${t.url}/v0.4/traces`, { method: 'PUT', raw: Buffer.alloc(100 * 1024), headers: { 'content-type': 'application/msgpack' } });
    assert.equal(ignored.status, 413);
  });

  test('gzip bombs are cut off at the inflation cap', async () => {
    // 64 MiB of zeros compresses to ~64 KiB; the cap is 1 MiB.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const form = new FormData();
    form.append('event', new Blob([JSON.stringify({ service: 'bomb', runtimeId: 'r' })], { type: 'application/json' }), 'event.json');
    form.append('file', new Blob([bomb], { type: 'application/gzip' }), 'symbols.json.gz');
    const before = process.memoryUsage().rss;
    const res = await fetch(`${t.url}/symdb/v1/input`, { method: 'POST', body: form });
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as any).error.message, /inflates to more than 1048576 bytes/);
    assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024, 'did not inflate the whole bomb');

    // Content-Encoding: gzip on JSON intake counts inflated bytes against the body limit.
    const encoded = gzipSync(Buffer.from(`[${' '.repeat(8 * 1024 * 1024)}]`));
    const intake = await http(`${t.url}/debugger/v2/input`, { raw: encoded, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    assert.equal(intake.status, 413);
    const fine = gzipSync(JSON.stringify([{ ddsource: 'dd_debugger', message: 'zipped', debugger: { snapshot: { id: 'gz-1', probe: { id: 'gz' } } } }]));
    const ok = await http(`${t.url}/debugger/v2/input`, { raw: fine, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    assert.equal(ok.status, 202);
    assert.equal(ok.body.stored, 1);
    const notGzip = await http(`${t.url}/debugger/v2/input`, { raw: 'plain', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    assert.equal(notGzip.status, 400);
  });

  test('an oversized multipart upload gets 413', async () => {
    const form = new FormData();
    form.append('event', new Blob(['{}'], { type: 'application/json' }), 'event.json');
    form.append('file', new Blob([Buffer.alloc(300 * 1024, 1)], { type: 'application/gzip' }), 'f.gz');
    const res = await fetch(`${t.url}/symdb/v1/input`, { method: 'POST', body: form });
    assert.equal(res.status, 413);
  });

  test('refuses to listen on a non-loopback address without an admin token and an API key', async () => {
    await assert.rejects(startServer({ host: '0.0.0.0', port: 0, dataDir: t.dataDir, apiKey: 'k' }), (err: any) => {
      assert.equal(err.code, 'PERISCOPE_ERR_INSECURE_CONFIG');
      assert.match(err.message, /PERISCOPE_ADMIN_TOKEN/);
      return true;
    });
  });

  test('with credentials, the API needs the bearer token and intake the DD-API-KEY', async () => {
    const s = await startTestServer({ adminToken: 'admin-secret', apiKey: 'intake-key' });
    try {
      assert.equal((await http(`${s.url}/api/v1/probes`)).status, 401);
      assert.equal((await http(`${s.url}/api/v1/probes`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      assert.equal((await http(`${s.url}/api/v1/probes`, { headers: { authorization: 'Bearer admin-secret' } })).status, 200);
      assert.equal((await http(`${s.url}/api/v1/health`)).status, 200);
      const intake = await http(`${s.url}/debugger/v2/input`, { body: [] });
      assert.equal(intake.status, 401);
      assert.match(intake.body.error.message, /DD-API-KEY/);
      assert.equal((await http(`${s.url}/debugger/v2/input`, { body: [], headers: { 'dd-api-key': 'intake-key' } })).status, 202);
      assert.equal((await http(`${s.url}/info`, { headers: { 'dd-api-key': 'nope' } })).status, 401);
    } finally {
      await s.close();
    }
  });
});
