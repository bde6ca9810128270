import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canonicalJson, SIGNING_KEY_FILE } from '../../src/remote-config/signer.js';
import { FakeTracer } from '../helpers/fake-tracer.js';
import { http, startTestServer, type TestServer } from '../helpers/test-server.js';

const probeBody = (over: Record<string, unknown> = {}) => ({
  target: 'src/orders.ts:42',
  service: 'checkout',
  captureSnapshot: true,
  when: { dsl: 'order.total > 100', json: { gt: [{ getmember: [{ ref: 'order' }, 'total'] }, 100] } },
  ...over,
});

describe('POST /v0.7/config', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('serves a created probe as a verified, signed target file, then answers {} once the client has it', async () => {
    const created = await http(`${t.url}/api/v1/probes`, { body: probeBody() });
    assert.equal(created.status, 201);
    const tracer = new FakeTracer(t.url, { service: 'checkout' });

    const first = await tracer.poll();
    const path = `datadog/2/LIVE_DEBUGGING/logProbe_${created.body.id}/config`;
    assert.deepEqual(first.inserted, [path]);
    assert.deepEqual(first.response['client_configs'], [path]);
    const signed = first.targets.signed;
    assert.equal(signed._type, 'targets');
    assert.equal(signed.spec_version, '1.0.0');
    assert.ok(signed.version >= 1);
    assert.equal(typeof signed.custom.opaque_backend_state, 'string');
    assert.ok(Date.parse(signed.expires) > Date.now());
    // The target file is exactly the probe JSON, and its metadata describes those bytes.
    const raw = Buffer.from(first.response['target_files'][0].raw, 'base64');
    assert.equal(signed.targets[path].length, raw.length);
    assert.equal(signed.targets[path].hashes.sha256, createHash('sha256').update(raw).digest('hex'));
    assert.equal(signed.targets[path].custom.v, 1);
    const probe = JSON.parse(raw.toString('utf8'));
    assert.equal(probe.id, created.body.id);
    assert.equal(probe.type, 'LOG_PROBE');
    assert.deepEqual(probe.where, { sourceFile: 'src/orders.ts', lines: ['42'] });
    assert.equal(probe.captureSnapshot, true);
    // The signature verifies against the server's key over the canonical `signed` document.
    const key = createPublicKey(readFileSync(join(t.dataDir, SIGNING_KEY_FILE), 'utf8'));
    const [signature] = first.targets.signatures;
    assert.ok(verify(null, Buffer.from(canonicalJson(signed)), key, Buffer.from(signature.sig, 'hex')));

    const second = await tracer.poll();
    assert.deepEqual(second.response, {});

    // A client that lost its targets version but still caches the file gets targets, not the file again.
    tracer.targetsVersion = 0;
    const resent = await tracer.poll();
    assert.ok(resent.targets);
    assert.equal(resent.response['target_files'], undefined);
    assert.deepEqual(resent.response['client_configs'], [path]);
    assert.ok(resent.targets.signed.version > 0);

    await http(`${t.url}/api/v1/probes/${created.body.id}`, { method: 'DELETE' });
  });

  test('an update bumps the probe and targets versions and re-serves the file; delete removes it', async () => {
    const created = await http(`${t.url}/api/v1/probes`, { body: probeBody({ service: 'billing' }) });
    const tracer = new FakeTracer(t.url, { service: 'billing' });
    const first = await tracer.poll();
    const path = first.inserted[0]!;
    const firstVersion = first.targets.signed.version;
    const firstHash = first.targets.signed.targets[path].hashes.sha256;

    const updated = await http(`${t.url}/api/v1/probes/${created.body.id}`, { method: 'PATCH', body: { target: 'src/orders.ts:50' } });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.version, 2);
    const second = await tracer.poll();
    assert.deepEqual(second.updated, [path]);
    assert.ok(second.targets.signed.version > firstVersion);
    assert.notEqual(second.targets.signed.targets[path].hashes.sha256, firstHash);
    assert.equal(second.targets.signed.targets[path].custom.v, 2);
    const content = tracer.applied.get(path)!.content as any;
    assert.equal(content.version, 2);
    assert.deepEqual(content.where.lines, ['50']);

    assert.equal((await http(`${t.url}/api/v1/probes/${created.body.id}`, { method: 'DELETE' })).status, 204);
    const third = await tracer.poll();
    assert.deepEqual(third.deleted, [path]);
    assert.deepEqual(third.targets.signed.targets, {});
    assert.equal(third.response['client_configs'], undefined);
    assert.ok(third.targets.signed.version > second.targets.signed.version);
    assert.deepEqual((await tracer.poll()).response, {});
  });

  test('serves probes only to their service and env', async () => {
    const envProbe = await http(`${t.url}/api/v1/probes`, { body: probeBody({ service: 'shop', env: 'prod' }) });
    const anyService = await http(`${t.url}/api/v1/probes`, { body: probeBody({ service: null, target: 'lib/util.ts:3' }) });
    const prod = new FakeTracer(t.url, { service: 'shop', env: 'prod' });
    const staging = new FakeTracer(t.url, { service: 'shop', env: 'staging' });
    const other = new FakeTracer(t.url, { service: 'other', env: 'prod' });
    await Promise.all([prod.poll(), staging.poll(), other.poll()]);
    const ids = (tr: FakeTracer) => [...tr.applied.values()].map((a) => (a.content as any).id).sort();
    assert.deepEqual(ids(prod), [envProbe.body.id, anyService.body.id].sort());
    assert.deepEqual(ids(staging), [anyService.body.id]);
    assert.deepEqual(ids(other), [anyService.body.id]);
    await http(`${t.url}/api/v1/probes/${envProbe.body.id}`, { method: 'DELETE' });
    await http(`${t.url}/api/v1/probes/${anyService.body.id}`, { method: 'DELETE' });
  });

  test('records config_states, including apply errors, and the instance identity', async () => {
    const created = await http(`${t.url}/api/v1/probes`, { body: probeBody({ service: 'payments' }) });
    const tracer = new FakeTracer(t.url, { service: 'payments', env: 'prod', version: '2.3.1' });
    const { inserted } = await tracer.poll();
    tracer.applyErrors.set(inserted[0]!, 'Error: Cannot compile expression');
    await tracer.poll();
    const probe = await http(`${t.url}/api/v1/probes/${created.body.id}`);
    const inst = probe.body.instances.find((i: any) => i.runtimeId === tracer.runtimeId);
    assert.equal(inst.applyState, 3);
    assert.equal(inst.applyError, 'Error: Cannot compile expression');
    assert.equal(inst.service, 'payments');
    const instances = await http(`${t.url}/api/v1/instances?service=payments`);
    assert.equal(instances.body.instances.length, 1);
    const instance = instances.body.instances[0];
    assert.equal(instance.runtimeId, tracer.runtimeId);
    assert.equal(instance.env, 'prod');
    assert.equal(instance.appVersion, '2.3.1');
    assert.equal(instance.language, 'node');
    assert.equal(instance.tracerVersion, '6.0.0');
    assert.equal(instance.host, 'test-host');
    await http(`${t.url}/api/v1/probes/${created.body.id}`, { method: 'DELETE' });
  });

  test('serves the symbol upload switch to clients with LIVE_DEBUGGING_SYMBOL_DB, configurable per service', async () => {
    const tracer = new FakeTracer(t.url, { service: 'symsvc' }, ['LIVE_DEBUGGING']);
    assert.equal((await tracer.poll()).inserted.length, 0);
    // Subscribing a product later gets a full response even though nothing else changed.
    tracer.products = ['LIVE_DEBUGGING', 'LIVE_DEBUGGING_SYMBOL_DB'];
    const path = 'datadog/2/LIVE_DEBUGGING_SYMBOL_DB/symDb/config';
    assert.deepEqual((await tracer.poll()).inserted, [path]);
    assert.deepEqual(tracer.applied.get(path)!.content, { upload_symbols: true });
    const off = await http(`${t.url}/api/v1/services/symsvc/settings`, { method: 'PUT', body: { uploadSymbols: false } });
    assert.equal(off.status, 200);
    assert.deepEqual((await tracer.poll()).updated, [path]);
    assert.deepEqual(tracer.applied.get(path)!.content, { upload_symbols: false });
  });

  test('rejects requests the agent would reject, with the reason', async () => {
    const tracer = new FakeTracer(t.url, { service: 'x' });
    const body: any = tracer.requestBody();
    body.client.client_tracer.runtime_id = body.client.id;
    const sameId = await http(`${t.url}/v0.7/config`, { body });
    assert.equal(sameId.status, 400);
    assert.match(sameId.body.error.message, /client\.id must differ/);
    const missing = await http(`${t.url}/v0.7/config`, { body: { client: { id: 'a' } } });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /state/);
  });
});

describe('system-tests RC sequence (rc_expected_requests_live_debugging.json)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('each change of the probe set yields the expected next client state', async () => {
    const dir = new URL('../../../test/fixtures/system-tests/', import.meta.url);
    const sets = JSON.parse(readFileSync(new URL('rc_mocked_responses_live_debugging.json', dir), 'utf8')) as Array<Array<any>>;
    const expected = JSON.parse(readFileSync(new URL('rc_expected_requests_live_debugging.json', dir), 'utf8')) as Array<any>;
    // The upstream ids map to probes created through the API; a changed definition is an update.
    const ours = new Map<string, { id: string; shape: string }>();
    const tracer = new FakeTracer(t.url, { service: 'weblog' });
    assert.equal((tracer.requestBody() as any).client.state.targets_version, expected[0].client.state.targets_version);
    let previousVersion = 0;
    for (let i = 0; i < sets.length; i++) {
      const set = sets[i]!;
      let changed = false;
      for (const upstream of set) {
        const shape = JSON.stringify(upstream);
        const method = upstream.where.methodName as string;
        const spec = { target: `${upstream.where.typeName}/${method}`, service: 'weblog' };
        const mine = ours.get(upstream.id);
        if (!mine) {
          const created = await http(`${t.url}/api/v1/probes`, { body: spec });
          assert.equal(created.status, 201, JSON.stringify(created.body));
          ours.set(upstream.id, { id: created.body.id, shape });
          changed = true;
        } else if (mine.shape !== shape) {
          assert.equal((await http(`${t.url}/api/v1/probes/${mine.id}`, { method: 'PUT', body: spec })).status, 200);
          mine.shape = shape;
          changed = true;
        }
      }
      for (const [upstreamId, mine] of [...ours]) {
        if (!set.some((p) => p.id === upstreamId)) {
          assert.equal((await http(`${t.url}/api/v1/probes/${mine.id}`, { method: 'DELETE' })).status, 204);
          ours.delete(upstreamId);
          changed = true;
        }
      }
      const poll = await tracer.poll();
      if (i > 0 && !changed) {
        // Upstream re-sends an identical set with a new version; an agent answers {} instead.
        assert.deepEqual(poll.response, {});
        continue;
      }
      assert.ok(poll.targets, `response ${i} carries targets`);
      assert.ok(poll.targets.signed.version > previousVersion, 'targets version increases');
      previousVersion = poll.targets.signed.version;
      const next = expected[i + 1].client;
      const body = tracer.requestBody() as any;
      const expectedStates = (next.state.config_states ?? []) as Array<{ id: string; product: string }>;
      const expectedIds = expectedStates.map((s) => s.id.slice(s.id.indexOf('_') + 1)).map((up) => ours.get(up)!.id).sort();
      assert.deepEqual(body.client.state.config_states.map((s: any) => s.id.slice(s.id.indexOf('_') + 1)).sort(), expectedIds, `state after response ${i}`);
      assert.ok(body.client.state.config_states.every((s: any) => s.product === 'LIVE_DEBUGGING' && /^logProbe_/.test(s.id)));
      assert.equal(body.cached_target_files.length, (expected[i + 1].cached_target_files ?? []).length);
      for (const f of body.cached_target_files) {
        assert.match(f.path, /^datadog\/2\/LIVE_DEBUGGING\/logProbe_[^/]+\/config$/);
        assert.equal(f.hashes[0].algorithm, 'sha256');
        assert.match(f.hashes[0].hash, /^[0-9a-f]{64}$/);
      }
      assert.equal(body.client.state.backend_client_state, poll.targets.signed.custom.opaque_backend_state);
    }
  });
});
