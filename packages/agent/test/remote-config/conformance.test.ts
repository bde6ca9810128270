/**
 * Replays system-tests' LIVE_DEBUGGING Remote Config sequence
 * (shared/system-tests-probes/remote_config/) through the fake agent and checks the client state
 * of every request the way system-tests' `rc_check_request(..., caching=True)` does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/settings.js';
import { Product, RemoteConfigClient, probeConfigHandler } from '../../src/remote-config/index.js';
import { FakeAgent, buildRcResponse, probePath } from '../helpers/fake-agent.js';
import { parseJsonPreservingNumbers, pythonDumps } from './python-json.js';

const VECTORS = new URL('../../../../../conformance/system-tests-probes/remote_config/', import.meta.url);
// system-tests' build_debugger_command sets this opaque backend state in every targets document.
const BACKEND_STATE = 'eyJmb28iOiAiYmFyIn0=';

interface ExpectedRequest {
  client: { state: { targets_version: number; config_states?: Array<Record<string, unknown>> } };
  cached_target_files?: Array<Record<string, unknown>>;
  test_description: string;
}

/** The files of each mocked response, serialised as system-tests does (`json.dumps(probe, indent=2)`). */
function mockedResponses(): Array<ReturnType<typeof buildRcResponse>> {
  const root = parseJsonPreservingNumbers(readFileSync(new URL('rc_mocked_responses_live_debugging.json', VECTORS), 'utf8'));
  assert.equal(root.kind, 'array');
  return root.items.map((set, index) => {
    assert.equal(set.kind, 'array');
    const files = set.items.map((probe) => {
      const raw = pythonDumps(probe);
      const { id, type } = JSON.parse(raw) as { id: string; type: string };
      return { path: probePath({ id, type }), content: raw };
    });
    return buildRcResponse(index + 1, files, { opaqueBackendState: BACKEND_STATE });
  });
}

/** `dict_is_included`: every expected key has an equal value in `actual`. */
function includes(actual: Record<string, unknown>, expected: Record<string, unknown>): boolean {
  return Object.entries(expected).every(([k, v]) => k in actual && JSON.stringify(actual[k]) === JSON.stringify(v));
}

function checkRequest(actual: Record<string, any>, expected: ExpectedRequest, index: number): void {
  const where = `request #${index} (${expected.test_description.split('.')[0]})`;
  const state = actual['client']['state'];
  assert.equal(state.targets_version, expected.client.state.targets_version, `${where}: targets_version`);

  const configStates: Array<Record<string, unknown>> = state.config_states ?? [];
  const expectedStates = expected.client.state.config_states ?? [];
  assert.equal(configStates.length, expectedStates.length, `${where}: number of config_states`);
  for (const s of expectedStates) {
    assert.ok(configStates.some((a) => includes(a, s)), `${where}: config state ${JSON.stringify(s)} in ${JSON.stringify(configStates)}`);
  }
  assert.ok(
    configStates.every((s) => s['apply_state'] === 2),
    `${where}: every config acknowledged: ${JSON.stringify(configStates)}`,
  );

  const cached: Array<Record<string, unknown>> = actual['cached_target_files'] ?? [];
  const expectedCached = expected.cached_target_files ?? [];
  const key = (f: Record<string, unknown>): string => JSON.stringify(f, Object.keys(f).sort());
  assert.deepEqual(cached.map(key).sort(), expectedCached.map(key).sort(), `${where}: cached_target_files`);
}

test('LIVE_DEBUGGING update sequence matches system-tests rc_expected_requests_live_debugging.json', async () => {
  const expected = JSON.parse(readFileSync(new URL('rc_expected_requests_live_debugging.json', VECTORS), 'utf8')) as ExpectedRequest[];
  const agent = await FakeAgent.start();
  // Mocked responses are served in order; afterwards the fake answers `{}` (nothing set).
  for (const response of mockedResponses()) agent.queueRcResponse(response);
  const config = loadConfig({ agentUrl: agent.url.toString(), service: 'weblog', env: 'system-tests', remoteConfigPollIntervalSeconds: 3600 }, {});
  const rc = new RemoteConfigClient({ config });
  const ops: string[] = [];
  rc.registerProduct(
    Product.LIVE_DEBUGGING,
    probeConfigHandler({
      onProbe: (probe, file) => void ops.push(`upsert ${file.id} ${(probe['where'] as { methodName: string }).methodName}`),
      onProbeRemoved: (id) => void ops.push(`remove ${id}`),
    }),
  );
  try {
    for (let i = 0; i < expected.length; i++) await rc.poll();
    const requests = agent.rcRequests();
    assert.equal(requests.length, expected.length);
    requests.forEach((r, i) => checkRequest(r, expected[i]!, i));
    for (const r of requests.slice(1)) assert.equal(r['client']['state']['backend_client_state'], BACKEND_STATE);
    assert.ok(requests.every((r) => r['client']['state']['has_error'] === false));

    const metric = 'metricProbe_33a64d99-fbed-5eab-bb10-80735405c09b';
    const log = 'logProbe_22953c88-eadc-4f9a-aa0f-7f6243f4bf8a';
    const span = 'spanProbe_kepf0cf2-9top-45cf-9f39-59installed';
    assert.deepEqual(ops, [
      `upsert ${metric} myMethod`, // add
      `upsert ${metric} mySuperMethod`, // modify
      'remove 33a64d99-fbed-5eab-bb10-80735405c09b', // remove
      `upsert ${metric} myMethod`, // add back, with a second probe
      `upsert ${log} myMethod`,
      'remove 22953c88-eadc-4f9a-aa0f-7f6243f4bf8a', // swap the second for a third
      `upsert ${span} myMethod`,
      `upsert ${log} myMethod`, // add the second back, modify the first
      `upsert ${metric} mySuperMethod`,
      'remove kepf0cf2-9top-45cf-9f39-59installed', // remove the third, modify the first back
      `upsert ${metric} myMethod`,
    ]);
  } finally {
    await rc.close();
    await agent.close();
  }
});

test('the Python-compatible serialiser prints like json.dumps(indent=2)', () => {
  const node = parseJsonPreservingNumbers('{"a": 1605093071.000000000, "b": [1, 2.5e3, "é"], "c": {}, "d": []}');
  assert.equal(pythonDumps(node), '{\n  "a": 1605093071.0,\n  "b": [\n    1,\n    2500.0,\n    "\\u00e9"\n  ],\n  "c": {},\n  "d": []\n}');
});
