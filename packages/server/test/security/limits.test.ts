import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startServer } from '../../src/index.js';
import { http, startTestServer, type TestServer } from '../helpers/test-server.js';

interface RawPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

/** A multipart/form-data body built by hand, so a test controls every byte. */
function multipartBody(parts: RawPart[]): { contentType: string; body: Buffer } {
  const boundary = '----periscope-test-boundary';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

/** POSTs a body as a stream: fetch then sends it chunked, with no Content-Length. */
async function postChunked(url: string, contentType: string, body: Buffer): Promise<{ status: number; body: any; chunked: boolean }> {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < body.length; i += 16 * 1024) controller.enqueue(body.subarray(i, i + 16 * 1024));
      controller.close();
    },
  });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: stream, duplex: 'half' } as RequestInit);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, chunked: true };
}

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

  test('chunked multipart uploads (no Content-Length) are capped by the bytes they stream', async () => {
    const probe = await http(`${t.url}/api/v1/probes`, { body: { target: 'src/chunked.ts:1' } });
    assert.equal(probe.status, 201);
    const statuses = (runtimeId: string, padding: number) =>
      JSON.stringify([
        { ddsource: 'dd_debugger', service: 'chunked', message: 'p'.repeat(padding), debugger: { diagnostics: { probeId: probe.body.id, runtimeId, status: 'INSTALLED' } } },
      ]);
    // Two 40 KiB parts: each under the 64 KiB limit, together over it.
    const over = multipartBody([
      { name: 'event', filename: 'a.json', contentType: 'application/json', data: statuses('rt-over-1', 40 * 1024) },
      { name: 'event', filename: 'b.json', contentType: 'application/json', data: statuses('rt-over-2', 40 * 1024) },
    ]);
    const rejected = await postChunked(`${t.url}/debugger/v1/diagnostics`, over.contentType, over.body);
    assert.equal(rejected.status, 413);
    assert.equal(rejected.body.error.code, 'PERISCOPE_ERR_PAYLOAD_TOO_LARGE');
    assert.match(rejected.body.error.message, /request body exceeds the 65536-byte limit/);
    // Under the limit, the same chunked form is accepted; nothing of the rejected request was kept.
    const fine = multipartBody([{ name: 'event', filename: 'a.json', contentType: 'application/json', data: statuses('rt-fine', 10) }]);
    const accepted = await postChunked(`${t.url}/debugger/v1/diagnostics`, fine.contentType, fine.body);
    assert.equal(accepted.status, 202);
    const seen = await http(`${t.url}/api/v1/probes/${probe.body.id}/statuses`);
    assert.deepEqual(seen.body.instances.map((i: any) => i.runtimeId), ['rt-fine']);

    // Symbol uploads: two 150 KiB files, each under the 256 KiB limit, together over it.
    const file = (name: string) => JSON.stringify({ service: 'chunked', language: 'javascript', scopes: [], padding: 'x'.repeat(150 * 1024), name });
    const symbols = multipartBody([
      { name: 'event', filename: 'event.json', contentType: 'application/json', data: JSON.stringify({ service: 'chunked', runtimeId: 'r' }) },
      { name: 'file', filename: 'a.json', contentType: 'application/json', data: file('a') },
      { name: 'file', filename: 'b.json', contentType: 'application/json', data: file('b') },
    ]);
    const upload = await postChunked(`${t.url}/symdb/v1/input`, symbols.contentType, symbols.body);
    assert.equal(upload.status, 413);
    assert.match(upload.body.error.message, /symbol upload exceeds the 262144-byte limit/);
  });

  test('the inflation cap holds for a whole symbol upload, not per gzip part', async () => {
    // Three parts, each inflating to ~400 KiB (under the 1 MiB cap), together ~1.2 MiB.
    const part = (i: number) =>
      gzipSync(
        JSON.stringify({
          service: 'manyparts',
          language: 'javascript',
          padding: ' '.repeat(400 * 1024),
          scopes: [{ scope_type: 'MODULE', source_file: `src/m${i}.ts`, start_line: 0, end_line: 9, scopes: [{ scope_type: 'FUNCTION', name: `manyPartsFn${i}`, start_line: 1, end_line: 5 }] }],
        }),
      );
    const send = (count: number) => {
      const form = new FormData();
      form.append('event', new Blob([JSON.stringify({ service: 'manyparts', runtimeId: 'r' })], { type: 'application/json' }), 'event.json');
      for (let i = 0; i < count; i++) form.append('file', new Blob([part(i)], { type: 'application/gzip' }), `f${i}.json.gz`);
      return fetch(`${t.url}/symdb/v1/input`, { method: 'POST', body: form });
    };
    const res = await send(3);
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as any).error.message, /file part 3 \(f2\.json\.gz\) inflates past the 1048576-byte decompression limit of this request/);
    // Nothing of the rejected upload is searchable; two parts fit and are stored.
    assert.deepEqual((await http(`${t.url}/api/v1/symbols/search?q=manyPartsFn&service=manyparts`)).body.results, []);
    const ok = await send(2);
    assert.equal(ok.status, 202);
    const found = (await http(`${t.url}/api/v1/symbols/search?q=manyPartsFn&service=manyparts`)).body.results.map((r: any) => r.name).sort();
    assert.deepEqual(found, ['manyPartsFn0', 'manyPartsFn1']);
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
