import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { FakeTracer } from '../helpers/fake-tracer.js';
import { http, startTestServer, type TestServer } from '../helpers/test-server.js';

const fixtures = new URL('../../../test/fixtures/system-tests/', import.meta.url);
const schema = (name: string) => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
const ajv = new Ajv({ strict: false });
const validateDiagnostics = ajv.compile(schema('library-debugger-v1-diagnostics-request.json'));
const validateInput = ajv.compile(schema('library-debugger-v1-input-request.json'));

function diagnostic(probeId: string, runtimeId: string, status: string, probeVersion = 1, exception?: object) {
  return {
    ddsource: 'dd_debugger',
    service: 'checkout',
    timestamp: Date.now(),
    message: `Probe ${probeId} is ${status}`,
    debugger: { diagnostics: { probeId, probeVersion, runtimeId, parentId: null, status, ...(exception ? { exception } : {}) } },
  };
}

/** Posts diagnostics the way dd-trace-js does: one multipart part `event` / `event.json`. */
async function postDiagnostics(url: string, items: object[], query = ''): Promise<number> {
  assert.ok(
    validateDiagnostics([{ headers: { 'Content-Type': 'application/json' }, content: items }]),
    JSON.stringify(validateDiagnostics.errors),
  );
  const form = new FormData();
  form.append('event', new Blob([JSON.stringify(items)], { type: 'application/json; charset=utf-8' }), 'event.json');
  const res = await fetch(`${url}/debugger/v1/diagnostics${query}`, { method: 'POST', body: form });
  await res.arrayBuffer();
  return res.status;
}

function snapshotEvent(probeId: string, message: string, id = randomUUID()) {
  return {
    ddsource: 'dd_debugger',
    service: 'checkout',
    hostname: 'web-1',
    message,
    timestamp: Date.now(),
    logger: { name: 'src/orders.ts', method: 'placeOrder', version: 2, thread_id: 'pid:42', thread_name: 'MainThread' },
    debugger: {
      type: 'snapshot',
      snapshot: {
        id,
        timestamp: Date.now(),
        language: 'javascript',
        probe: { id: probeId, version: 1, location: { file: 'src/orders.ts', lines: ['42'] } },
        stack: [{ fileName: '/app/src/orders.ts', function: 'placeOrder', lineNumber: 42, columnNumber: 5 }],
        captures: {
          lines: {
            '42': {
              arguments: { order: { type: 'Order', fields: { total: { type: 'number', value: '120' } } } },
              locals: { discount: { type: 'number', value: '5' } },
            },
          },
        },
      },
    },
  };
}

describe('intake', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('stores multipart statuses per instance, applying the status ordering', async () => {
    const probe = await http(`${t.url}/api/v1/probes`, { body: { target: 'src/orders.ts:42', service: 'checkout', captureSnapshot: true } });
    const id = probe.body.id as string;
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    assert.equal(await postDiagnostics(t.url, [diagnostic(id, a, 'RECEIVED'), diagnostic(id, b, 'RECEIVED'), diagnostic(id, c, 'RECEIVED')]), 202);
    const error = { type: 'Error', message: 'No loaded script found for src/orders.ts', stacktrace: 'Error: No loaded script…' };
    assert.equal(await postDiagnostics(t.url, [diagnostic(id, a, 'INSTALLED'), diagnostic(id, b, 'ERROR', 1, error), diagnostic(id, c, 'INSTALLED')]), 202);
    // EMITTING is final for its version; a late RECEIVED does not move INSTALLED back.
    assert.equal(await postDiagnostics(t.url, [diagnostic(id, a, 'EMITTING'), diagnostic(id, c, 'RECEIVED')]), 202);
    assert.equal(await postDiagnostics(t.url, [diagnostic(id, a, 'INSTALLED'), diagnostic(id, a, 'ERROR', 1, error)]), 202);
    const statuses = await http(`${t.url}/api/v1/probes/${id}/statuses`);
    const by = new Map<string, any>(statuses.body.instances.map((i: any) => [i.runtimeId, i]));
    assert.equal(by.get(a).status, 'EMITTING');
    assert.equal(by.get(b).status, 'ERROR');
    assert.deepEqual(by.get(b).exception, error);
    assert.equal(by.get(c).status, 'INSTALLED');
    // A new probe version starts a new lifecycle.
    assert.equal(await postDiagnostics(t.url, [diagnostic(id, a, 'RECEIVED', 2)]), 202);
    const after2 = await http(`${t.url}/api/v1/probes/${id}`);
    const instA = after2.body.instances.find((i: any) => i.runtimeId === a);
    assert.equal(instA.status, 'RECEIVED');
    assert.equal(instA.probeVersion, 2);
    assert.deepEqual(after2.body.statusCounts, { RECEIVED: 1, ERROR: 1, INSTALLED: 1 });
  });

  test('an instance known without a host gets it from diagnostics (ddtags or the item\'s hostname)', async () => {
    const probe = await http(`${t.url}/api/v1/probes`, { body: { target: 'src/hosts.ts:1', service: 'hosts' } });
    const id = probe.body.id as string;
    const [tagged, named, unknown] = [new FakeTracer(t.url, { service: 'hosts' }), new FakeTracer(t.url, { service: 'hosts' }), new FakeTracer(t.url, { service: 'hosts' })];
    for (const tracer of [tagged, named, unknown]) {
      tracer.tags = [];
      await tracer.poll();
    }
    const hosts = async () => {
      const list = (await http(`${t.url}/api/v1/instances?service=hosts`)).body.instances as any[];
      return new Map(list.map((i) => [i.runtimeId, i.host]));
    };
    assert.deepEqual([...(await hosts()).values()], ['', '', '']);
    assert.equal(await postDiagnostics(t.url, [diagnostic(id, tagged.runtimeId, 'INSTALLED')], `?ddtags=${encodeURIComponent('env:prod,host_name:web-9')}`), 202);
    assert.equal(await postDiagnostics(t.url, [{ ...diagnostic(id, named.runtimeId, 'INSTALLED'), hostname: 'web-8' }]), 202);
    assert.equal(await postDiagnostics(t.url, [diagnostic(id, unknown.runtimeId, 'INSTALLED')]), 202);
    const after = await hosts();
    assert.equal(after.get(tagged.runtimeId), 'web-9');
    assert.equal(after.get(named.runtimeId), 'web-8');
    assert.equal(after.get(unknown.runtimeId), '');
    // The probe's per-instance view shows it as well.
    const view = await http(`${t.url}/api/v1/probes/${id}`);
    assert.equal(view.body.instances.find((i: any) => i.runtimeId === tagged.runtimeId).host, 'web-9');
  });

  test('stores v2 snapshot batches once per snapshot id, and queries them by probe, service and time', async () => {
    const probeId = randomUUID();
    const first = snapshotEvent(probeId, 'placed order 1');
    const batch = [first, snapshotEvent(probeId, 'placed order 2'), snapshotEvent(randomUUID(), 'other probe')];
    assert.ok(validateInput(batch), JSON.stringify(validateInput.errors));
    const posted = await http(`${t.url}/debugger/v2/input?ddtags=${encodeURIComponent('env:prod,host_name:web-1')}`, { body: batch });
    assert.equal(posted.status, 202);
    assert.equal(posted.body.stored, 3);
    const again = await http(`${t.url}/debugger/v2/input`, { body: [first] });
    assert.equal(again.body.stored, 0);

    const events = await http(`${t.url}/api/v1/events?probeId=${probeId}`);
    assert.equal(events.status, 200);
    assert.deepEqual(events.body.events.map((e: any) => e.message).sort(), ['placed order 1', 'placed order 2']);
    const e = events.body.events[0];
    assert.equal(e.kind, 'snapshot');
    assert.equal(e.service, 'checkout');
    assert.equal(e.host, 'web-1');
    assert.equal(e.event.debugger.snapshot.probe.id, probeId);
    const one = await http(`${t.url}/api/v1/events/${e.id}`);
    assert.deepEqual(one.body, e);
    const none = await http(`${t.url}/api/v1/events?probeId=${probeId}&since=${Date.now() + 60_000}`);
    assert.deepEqual(none.body.events, []);
    const limited = await http(`${t.url}/api/v1/events?service=checkout&limit=1`);
    assert.equal(limited.body.events.length, 1);
  });

  test('accepts events on the v1/diagnostics fallback as a plain JSON array, and rejects junk with reasons', async () => {
    const probeId = randomUUID();
    const log = { ddsource: 'dd_debugger', service: 'checkout', message: 'plain log', debugger: { snapshot: { id: randomUUID(), probe: { id: probeId, version: 0 } } } };
    const res = await http(`${t.url}/debugger/v1/diagnostics`, { body: [log, { nope: true }] });
    assert.equal(res.status, 202);
    assert.equal(res.body.stored, 1);
    assert.equal(res.body.rejected.length, 1);
    const events = await http(`${t.url}/api/v1/events?probeId=${probeId}`);
    assert.equal(events.body.events[0].kind, 'log');
    const junk = await http(`${t.url}/debugger/v2/input`, { body: [{ debugger: { snapshot: {} } }] });
    assert.equal(junk.status, 400);
    assert.match(junk.body.error.message, /probe\.id is missing/);
    const notArray = await http(`${t.url}/debugger/v2/input`, { body: { a: 1 } });
    assert.equal(notArray.status, 400);
  });

  test('the SSE stream delivers a snapshot posted after subscribing', async () => {
    const probeId = randomUUID();
    const abort = new AbortController();
    const res = await fetch(`${t.url}/api/v1/events/stream?probeId=${probeId}`, { signal: abort.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string): Promise<void> => {
      // Until the frame holding `needle` is complete.
      while (!text.includes(needle) || text.indexOf('\n\n', text.indexOf(needle)) < 0) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(': connected');
    await http(`${t.url}/debugger/v2/input`, { body: [snapshotEvent(randomUUID(), 'not for this stream'), snapshotEvent(probeId, 'streamed!')] });
    await readUntil('streamed!');
    abort.abort();
    const frame = text.split('\n\n').find((f) => f.includes('event: probe-event'))!;
    const data = JSON.parse(frame.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
    assert.equal(data.probeId, probeId);
    assert.equal(data.message, 'streamed!');
    assert.ok(!text.includes('not for this stream'));
  });

  test('answers the endpoints tracers also call without parsing their bodies', async () => {
    const info = await http(`${t.url}/info`);
    for (const e of ['/debugger/v2/input', '/debugger/v1/input', '/debugger/v1/diagnostics', '/symdb/v1/input', '/v0.7/config']) {
      assert.ok(info.body.endpoints.includes(e), e);
    }
    assert.equal(info.body.client_drop_p0s, true);
    assert.equal(typeof info.body.version, 'string');
    assert.equal(typeof info.body.config, 'object');
    const msgpack = Buffer.from([0x91, 0x91, 0x80]);
    const traces = await http(`${t.url}/v0.4/traces`, { method: 'PUT', raw: msgpack, headers: { 'content-type': 'application/msgpack' } });
    assert.equal(traces.status, 200);
    assert.deepEqual(traces.body, { rate_by_service: {} });
    for (const path of ['/v0.5/traces', '/telemetry/proxy/api/v2/apmtelemetry', '/profiling/v1/input', '/dogstatsd/v2/proxy', '/evp_proxy/v2/api/v2/llmobs', '/tracer_flare/v1']) {
      const res = await http(`${t.url}${path}`, { method: 'POST', raw: 'not json {', headers: { 'content-type': 'application/json' } });
      assert.ok(res.status >= 200 && res.status < 300, `${path}: ${res.status}`);
    }
  });
});
