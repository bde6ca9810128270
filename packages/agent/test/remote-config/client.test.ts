import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig, type AgentConfig } from '../../src/config/settings.js';
import {
  APM_TRACING_REGISTRATION,
  ApplyState,
  Product,
  RemoteConfigClient,
  dynamicInstrumentationToggleHandler,
  encodeCapabilities,
  parseConfigPath,
  probeConfigHandler,
  symbolDatabaseHandler,
  type RemoteConfigClientOptions,
} from '../../src/remote-config/index.js';
import { FakeAgent, buildRcResponse, probePath, type RcFileSpec } from '../helpers/fake-agent.js';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

const probe = (id: string, line = 42): { id: string; type: string } & Record<string, unknown> => ({
  id,
  version: 0,
  type: 'LOG_PROBE',
  language: 'javascript',
  where: { sourceFile: 'src/routes/users.ts', lines: [String(line)] },
  tags: [],
  template: 'hit',
  segments: [{ str: 'hit' }],
  captureSnapshot: false,
});

function configFor(agent: FakeAgent, extra: Parameters<typeof loadConfig>[0] = {}): AgentConfig {
  return loadConfig(
    { agentUrl: agent.url.toString(), service: 'checkout', env: 'prod', version: '2.3.1', remoteConfigPollIntervalSeconds: 3600, ...extra },
    { DD_GIT_REPOSITORY_URL: 'https://github.com/datadog/hello', DD_GIT_COMMIT_SHA: '1234hash', DD_TAGS: 'team:payments' },
  );
}

/** A probe handler recording what it is told. */
function recordingProbes(): { ops: string[]; handler: ReturnType<typeof probeConfigHandler> } {
  const ops: string[] = [];
  return {
    ops,
    handler: probeConfigHandler({
      onProbe: (p) => void ops.push(`upsert ${String(p['id'])}:${JSON.stringify((p['where'] as { lines: string[] }).lines)}`),
      onProbeRemoved: (id) => void ops.push(`remove ${id}`),
    }),
  };
}

describe('RemoteConfigClient', () => {
  let agent: FakeAgent;
  const clients: RemoteConfigClient[] = [];
  const rcClient = (options: Partial<RemoteConfigClientOptions> = {}): RemoteConfigClient => {
    const c = new RemoteConfigClient({ config: configFor(agent), ...options });
    clients.push(c);
    return c;
  };
  const lastState = (): Record<string, any> => agent.rcRequests().at(-1)!['client']['state'];
  const lastRequest = (): Record<string, any> => agent.rcRequests().at(-1)!;

  before(async () => {
    agent = await FakeAgent.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    agent.clearFaults();
    agent.clearRequests();
    agent.setRcFiles([]);
  });
  after(async () => {
    await agent.close();
    assert.deepEqual(unhandled, []);
  });

  test('sends the complete client state', async () => {
    const rc = rcClient();
    rc.registerProduct(Product.LIVE_DEBUGGING, recordingProbes().handler);
    rc.registerProduct(Product.APM_TRACING, dynamicInstrumentationToggleHandler({ service: 'checkout', env: 'prod', onChange() {} }), APM_TRACING_REGISTRATION);
    await rc.poll();
    const { client, cached_target_files } = lastRequest();
    const config = configFor(agent);
    assert.match(client.id, /^[0-9a-f-]{36}$/);
    assert.notEqual(client.id, client.client_tracer.runtime_id);
    assert.deepEqual(client.products, ['LIVE_DEBUGGING', 'APM_TRACING']);
    assert.equal(client.is_tracer, true);
    assert.equal('client_agent' in client, false);
    const tracer = client.client_tracer;
    assert.equal(tracer.language, 'node');
    assert.equal(tracer.service, 'checkout');
    assert.equal(tracer.env, 'prod');
    assert.equal(tracer.app_version, '2.3.1');
    assert.match(tracer.tracer_version, /^\d+\.\d+\.\d+/);
    assert.match(tracer.runtime_id, /^[0-9a-f-]{36}$/);
    assert.notEqual(tracer.runtime_id, config.runtimeId); // each loadConfig() draws a runtime id
    for (const tag of ['env:prod', 'version:2.3.1', 'team:payments', `_dd.rc.client_id:${client.id}`, `runtime-id:${tracer.runtime_id}`,
      'git.repository_url:https://github.com/datadog/hello', 'git.commit.sha:1234hash']) {
      assert.ok(tracer.tags.includes(tag), `${tag} in ${tracer.tags}`);
    }
    assert.deepEqual(tracer.extra_services, []);
    const bits = BigInt(`0x${Buffer.from(client.capabilities, 'base64').toString('hex')}`);
    assert.equal((bits >> 38n) & 1n, 1n, 'APM_TRACING_ENABLE_DYNAMIC_INSTRUMENTATION');
    assert.equal(bits & ~(1n << 38n), 0n, 'no other capability');
    assert.deepEqual(client.state, {
      root_version: 1,
      targets_version: 0,
      config_states: [],
      has_error: false,
      error: '',
      backend_client_state: '',
    });
    assert.deepEqual(cached_target_files, []);
  });

  test('advertises only registered products, and stops polling requests without any', async () => {
    const rc = rcClient();
    await rc.poll();
    assert.equal(agent.rcRequests().length, 0);
    const unregister = rc.registerProduct(Product.LIVE_DEBUGGING_SYMBOL_DB, symbolDatabaseHandler({ onUploadSymbols() {} }));
    await rc.poll();
    assert.deepEqual(lastRequest()['client']['products'], ['LIVE_DEBUGGING_SYMBOL_DB']);
    assert.equal(lastRequest()['client']['capabilities'], 'AA==');
    unregister();
    await rc.poll();
    assert.equal(agent.rcRequests().length, 1);
  });

  test('encodes capabilities as the reference examples', () => {
    assert.equal(encodeCapabilities([12, 13, 14, 15, 19, 29, 38, 40, 41, 45]), 'I0AgCPAA');
    assert.equal(encodeCapabilities([38, 41]), 'AkAAAAAA');
    assert.equal(encodeCapabilities([]), 'AA==');
  });

  test('parses config paths', () => {
    assert.deepEqual(parseConfigPath('datadog/2/LIVE_DEBUGGING/logProbe_x/config'), {
      source: 'datadog', orgId: '2', product: 'LIVE_DEBUGGING', id: 'logProbe_x', name: 'config',
    });
    assert.deepEqual(parseConfigPath('employee/APM_TRACING/abc/config'), {
      source: 'employee', orgId: undefined, product: 'APM_TRACING', id: 'abc', name: 'config',
    });
    for (const bad of ['datadog/x/LIVE_DEBUGGING/a/config', 'datadog/2/LIVE_DEBUGGING/a', 'other/2/P/a/config', 'datadog/2/P/a/b/c']) {
      assert.equal(parseConfigPath(bad), undefined, bad);
    }
  });

  test('inserts, updates and deletes probes, acknowledging each file', async () => {
    const rc = rcClient();
    const { ops, handler } = recordingProbes();
    rc.registerProduct(Product.LIVE_DEBUGGING, handler);
    agent.setRcProbes([probe('a'), probe('b')]);
    await rc.poll(); // receives the files
    await rc.poll(); // reports them
    assert.deepEqual(ops, ['upsert a:["42"]', 'upsert b:["42"]']);
    assert.equal(lastState()['targets_version'], agent.rcTargetsVersion);
    assert.equal(lastState()['backend_client_state'], Buffer.from('{"fake":"agent"}').toString('base64'));
    assert.deepEqual(
      lastState()['config_states'],
      ['a', 'b'].map((id) => ({ id: `logProbe_${id}`, version: 1, product: 'LIVE_DEBUGGING', apply_state: 2, apply_error: '' })),
    );
    assert.deepEqual(lastRequest()['cached_target_files'].map((f: { path: string }) => f.path), [probePath(probe('a')), probePath(probe('b'))]);

    // Unchanged versions are answered with {} and never re-dispatched.
    await rc.poll();
    assert.equal(ops.length, 2);

    agent.setRcProbes([probe('a', 43)]); // a modified, b deleted
    await rc.poll();
    assert.deepEqual(ops.slice(2), ['remove b', 'upsert a:["43"]']);
    await rc.poll();
    assert.deepEqual(lastState()['config_states'].map((s: { id: string }) => s.id), ['logProbe_a']);

    agent.setRcFiles([]);
    await rc.poll();
    await rc.poll();
    assert.deepEqual(ops.slice(4), ['remove a']);
    assert.deepEqual(lastState()['config_states'], []);
    assert.deepEqual(lastRequest()['cached_target_files'], []);
  });

  test('a targets document without client_configs removes every config (expired agent state)', async () => {
    const rc = rcClient();
    const { ops, handler } = recordingProbes();
    rc.registerProduct(Product.LIVE_DEBUGGING, handler);
    agent.setRcProbes([probe('a')]);
    await rc.poll();
    agent.queueRcResponse({ targets: buildRcResponse(agent.rcTargetsVersion + 5, []).targets });
    agent.queueRcResponse({});
    await rc.poll();
    await rc.poll();
    assert.deepEqual(ops, ['upsert a:["42"]', 'remove a']);
    assert.equal(agent.rcRequests().at(-1)!['client']['state']['targets_version'], agent.rcTargetsVersion + 5);
    assert.deepEqual(lastState()['config_states'], []);
  });

  test('a file failing its hash, length, JSON or handler is ERROR; the others apply', async () => {
    const rc = rcClient();
    const applied: string[] = [];
    rc.registerProduct(
      Product.LIVE_DEBUGGING,
      probeConfigHandler({
        onProbe: (p) => {
          if (p['id'] === 'throws') throw new Error('cannot install');
          applied.push(String(p['id']));
        },
        onProbeRemoved() {},
      }),
    );
    const files: RcFileSpec[] = [
      { path: probePath(probe('good')), content: probe('good') },
      { path: probePath(probe('hash')), content: probe('hash'), meta: { sha256: 'ab'.repeat(32) } },
      { path: probePath(probe('length')), content: probe('length'), meta: { length: 3 } },
      { path: 'datadog/2/LIVE_DEBUGGING/logProbe_json/config', content: '{"id": "json", ' },
      { path: 'datadog/2/LIVE_DEBUGGING/logProbe_noid/config', content: { type: 'LOG_PROBE' } },
      { path: probePath(probe('throws')), content: probe('throws') },
    ];
    agent.setRcFiles(files);
    await rc.poll();
    await rc.poll();
    assert.deepEqual(applied, ['good']);
    const states = Object.fromEntries(lastState()['config_states'].map((s: { id: string }) => [s.id, s]));
    assert.equal(states['logProbe_good'].apply_state, ApplyState.ACKNOWLEDGED);
    assert.equal(states['logProbe_good'].apply_error, '');
    const errors = Object.fromEntries(Object.entries(states).filter(([id]) => id !== 'logProbe_good').map(([id, s]: [string, any]) => [id, [s.apply_state, s.apply_error]]));
    assert.deepEqual(Object.keys(errors).sort(), ['logProbe_hash', 'logProbe_json', 'logProbe_length', 'logProbe_noid', 'logProbe_throws']);
    for (const [state] of Object.values(errors)) assert.equal(state, ApplyState.ERROR);
    assert.match(errors['logProbe_hash']![1], /sha256 mismatch/);
    assert.match(errors['logProbe_length']![1], /length mismatch/);
    assert.match(errors['logProbe_json']![1], /not valid JSON/);
    assert.match(errors['logProbe_noid']![1], /no string "id"/);
    assert.equal(errors['logProbe_throws']![1], 'Error: cannot install');
    assert.equal(lastState()['has_error'], false);
    // Only the good file counts as held, so the agent sends the others again.
    assert.deepEqual(lastRequest()['cached_target_files'].map((f: { path: string }) => f.path), [probePath(probe('good'))]);

    // The backend fixes the hash: the file is applied on the next targets version.
    agent.setRcFiles([files[0]!, { path: probePath(probe('hash')), content: probe('hash') }]);
    await rc.poll();
    await rc.poll();
    assert.deepEqual(applied, ['good', 'hash']);
    assert.deepEqual(lastState()['config_states'].map((s: { apply_state: number }) => s.apply_state), [2, 2]);
  });

  test('an asynchronous handler is UNACKNOWLEDGED until it settles', async () => {
    const rc = rcClient();
    let release!: () => void;
    rc.registerProduct(Product.LIVE_DEBUGGING, {
      onInsert: () => new Promise<void>((resolve) => (release = resolve)),
      onDelete() {},
    });
    agent.setRcProbes([probe('slow')]);
    await rc.poll();
    await rc.poll();
    assert.equal(lastState()['config_states'][0].apply_state, ApplyState.UNACKNOWLEDGED);
    release();
    await rc.poll();
    assert.equal(lastState()['config_states'][0].apply_state, ApplyState.ACKNOWLEDGED);
  });

  test('a garbage response sets has_error on the next request, then clears', async () => {
    const rc = rcClient();
    const { ops, handler } = recordingProbes();
    rc.registerProduct(Product.LIVE_DEBUGGING, handler);
    agent.setRcProbes([probe('a')]);
    await rc.poll();
    agent.queueRcResponse('<html>oops</html>');
    agent.queueRcResponse({ targets: Buffer.from('{"signed": 1}').toString('base64') });
    await rc.poll();
    await rc.poll();
    assert.equal(lastState()['has_error'], true);
    assert.match(lastState()['error'], /response is not JSON/);
    await rc.poll();
    assert.equal(lastState()['has_error'], true);
    assert.match(lastState()['error'], /no "signed" object/);
    // State survived both: the probe is still applied and reported.
    assert.equal(lastState()['config_states'][0].apply_state, 2);
    await rc.poll();
    assert.equal(lastState()['has_error'], false);
    assert.equal(lastState()['error'], '');
    assert.deepEqual(ops, ['upsert a:["42"]']);
  });

  test('an empty {} or empty body changes nothing', async () => {
    const rc = rcClient();
    const { ops, handler } = recordingProbes();
    rc.registerProduct(Product.LIVE_DEBUGGING, handler);
    agent.setRcProbes([probe('a')]);
    await rc.poll();
    agent.queueRcResponse({});
    agent.queueRcResponse('');
    agent.queueRcResponse({ client_configs: [] }); // no targets: not a removal
    await rc.poll();
    await rc.poll();
    await rc.poll();
    await rc.poll();
    assert.deepEqual(ops, ['upsert a:["42"]']);
    assert.equal(lastState()['config_states'].length, 1);
    assert.equal(lastState()['targets_version'], agent.rcTargetsVersion);
    assert.equal(lastState()['has_error'], false);
  });

  test('network errors and 5xx leave the state as it was', async () => {
    const rc = rcClient();
    rc.registerProduct(Product.LIVE_DEBUGGING, recordingProbes().handler);
    agent.setRcProbes([probe('a')]);
    await rc.poll();
    agent.injectFault({ kind: 'reset' }, { path: '/v0.7/config', times: 1 });
    agent.injectFault({ kind: 'status', status: 503 }, { path: '/v0.7/config', times: 1 });
    await rc.poll();
    await rc.poll();
    await rc.poll();
    assert.equal(lastState()['config_states'][0].apply_state, 2);
    assert.equal(lastState()['has_error'], false);
  });

  test('404 (RC disabled on the agent): keeps polling, at the slower interval', async () => {
    const rc = rcClient({ config: configFor(agent, { remoteConfigPollIntervalSeconds: 0.01 }), disabledPollIntervalMs: 60_000 });
    rc.registerProduct(Product.LIVE_DEBUGGING, recordingProbes().handler);
    agent.injectFault({ kind: 'status', status: 404 }, { path: '/v0.7/config', times: 1 });
    rc.start();
    await agent.waitFor(() => agent.requestsTo('/v0.7/config').length === 1);
    await delay(200); // 20 normal intervals
    assert.equal(agent.requestsTo('/v0.7/config').length, 1);
    const fast = rcClient({ config: configFor(agent, { remoteConfigPollIntervalSeconds: 0.01 }), disabledPollIntervalMs: 10 });
    fast.registerProduct(Product.LIVE_DEBUGGING, recordingProbes().handler);
    agent.injectFault({ kind: 'status', status: 404 }, { path: '/v0.7/config' });
    fast.start();
    await agent.waitFor(() => agent.requestsTo('/v0.7/config').length >= 4, 5000, 'polling to continue after 404');
    assert.equal(agent.rcRequests().at(-1)!['client']['state']['has_error'], false);
  });

  test('polls never overlap, even when the agent is slower than the interval', async () => {
    const rc = rcClient({ config: configFor(agent, { remoteConfigPollIntervalSeconds: 0.01 }) });
    rc.registerProduct(Product.LIVE_DEBUGGING, recordingProbes().handler);
    agent.injectFault({ kind: 'slow', delayMs: 60 }, { path: '/v0.7/config' });
    rc.start();
    void rc.poll();
    void rc.poll();
    await agent.waitFor(() => agent.requestsTo('/v0.7/config').length >= 5, 5000, 'five polls');
    const overlapping = agent.requestsTo('/v0.7/config').filter((r) => r.concurrent > 0);
    assert.deepEqual(overlapping.map((r) => r.seq), []);
  });

  test('APM_TRACING lib_config.dynamic_instrumentation_enabled toggles DI', async () => {
    const rc = rcClient();
    const changes: Array<boolean | undefined> = [];
    rc.registerProduct(
      Product.APM_TRACING,
      dynamicInstrumentationToggleHandler({ service: 'checkout', env: 'prod', onChange: (v) => void changes.push(v) }),
      APM_TRACING_REGISTRATION,
    );
    const apm = (id: string, enabled: boolean | undefined, target: Record<string, string> = { service: 'checkout', env: 'prod' }): RcFileSpec => ({
      product: 'APM_TRACING',
      id,
      content: { schema_version: 'v1.0.0', action: 'enable', service_target: target, lib_config: { dynamic_instrumentation_enabled: enabled } },
    });
    const step = async (files: RcFileSpec[]): Promise<void> => {
      agent.setRcFiles(files);
      await rc.poll();
    };
    await step([apm('org', true, { service: '*', env: '*' })]);
    await step([apm('org', true, { service: '*', env: '*' }), apm('svc', false)]); // more specific wins
    await step([apm('org', true, { service: '*', env: '*' }), apm('svc', false), apm('other', true, { service: 'billing', env: 'prod' })]);
    await step([apm('org', true, { service: '*', env: '*' })]);
    await step([]);
    assert.deepEqual(changes, [true, false, true, undefined]);
    await rc.poll();
    assert.deepEqual(lastState()['config_states'], []);
  });

  test('LIVE_DEBUGGING_SYMBOL_DB switches symbol upload on and off', async () => {
    const rc = rcClient();
    const changes: boolean[] = [];
    rc.registerProduct(Product.LIVE_DEBUGGING_SYMBOL_DB, symbolDatabaseHandler({ onUploadSymbols: (v) => void changes.push(v) }));
    const symdb = (content: unknown): RcFileSpec[] => [{ product: 'LIVE_DEBUGGING_SYMBOL_DB', id: 'symDb', content }];
    agent.setRcFiles(symdb({ upload_symbols: true }));
    await rc.poll();
    agent.setRcFiles(symdb({ upload_symbols: false }));
    await rc.poll();
    agent.setRcFiles(symdb({ upload_symbols: 'yes' }));
    await rc.poll();
    await rc.poll();
    assert.equal(lastState()['config_states'][0].apply_state, ApplyState.ERROR);
    assert.match(lastState()['config_states'][0].apply_error, /upload_symbols/);
    agent.setRcFiles(symdb({ upload_symbols: true }));
    await rc.poll();
    // A changed file that still says true restarts the upload; the same bytes again change nothing.
    agent.setRcFiles(symdb({ upload_symbols: true, note: 'changed' }));
    await rc.poll();
    await rc.poll();
    agent.setRcFiles([]);
    await rc.poll();
    assert.deepEqual(changes, [true, false, true, true, false]);
  });

  test('files of products not subscribed are ignored; a product subscribed later gets the existing files', async () => {
    const rc = rcClient();
    const { ops, handler } = recordingProbes();
    rc.registerProduct(Product.LIVE_DEBUGGING_SYMBOL_DB, symbolDatabaseHandler({ onUploadSymbols() {} }));
    agent.setRcFiles([
      { product: 'LIVE_DEBUGGING_SYMBOL_DB', id: 'symDb', content: { upload_symbols: true } },
      { path: probePath(probe('a')), content: probe('a') },
    ]);
    await rc.poll();
    await rc.poll();
    assert.deepEqual(lastState()['config_states'].map((s: { product: string }) => s.product), ['LIVE_DEBUGGING_SYMBOL_DB']);
    rc.registerProduct(Product.LIVE_DEBUGGING, handler);
    await rc.poll();
    assert.deepEqual(ops, ['upsert a:["42"]']);
    await rc.poll();
    assert.deepEqual(lastState()['config_states'].map((s: { product: string }) => s.product).sort(), ['LIVE_DEBUGGING', 'LIVE_DEBUGGING_SYMBOL_DB']);
  });
});
