import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { FakeAgent } from '../helpers/fake-agent.js';
import { FIXTURES, startApp, type StartedApp } from '../helpers/run-app.js';

const SCHEMAS = new URL('../../../../../conformance/system-tests-probes/schemas/', import.meta.url);
const schema = (name: string) => JSON.parse(readFileSync(new URL(name, SCHEMAS), 'utf8')) as object;

/** Resolves once the fixture printed `ready` (SIGTERM handler installed, first call made). */
function ready(app: StartedApp): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    app.child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    app.child.once('exit', (code) => reject(new Error(`app exited (${code}) before it was ready`)));
  });
}

const probe = (version: number, template: string, extra: Record<string, unknown> = {}) => ({
  id: 'rc-probe-1',
  version,
  type: 'LOG_PROBE',
  language: 'javascript',
  where: { sourceFile: 'rc/app.js', lines: ['5'] },
  template,
  segments: [{ str: template }],
  captureSnapshot: true,
  sampling: { snapshotsPerSecond: 100 },
  ...extra,
});

test('a probe delivered over Remote Config installs, fires, is modified, deleted, and DI can be switched off', async () => {
  const agent = await FakeAgent.start();
  const app = startApp({
    cwd: path.join(FIXTURES, 'engine/rc'),
    args: ['app.js'],
    preload: 'require',
    network: true,
    env: {
      DD_TRACE_AGENT_URL: agent.url.toString(),
      DD_SERVICE: 'rc-fixture',
      DD_ENV: 'test',
      DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.05',
      DD_DYNAMIC_INSTRUMENTATION_UPLOAD_INTERVAL_SECONDS: '0.05',
    },
  });
  try {
    const status = (s: string, v: number) => () =>
      agent.statuses().find((x) => x['debugger'].diagnostics.status === s && x['debugger'].diagnostics.probeVersion === v);
    agent.setRcProbes([probe(1, 'first')]);
    await agent.waitFor(status('EMITTING', 1), 10_000, 'EMITTING v1');
    const first = await agent.waitFor(() => agent.events().find((e) => e['message'] === 'first'), 5000, 'event v1');

    // Exact wire shapes, validated with the system-tests schemas.
    const ajv = new Ajv({ strict: false });
    const events = agent.requestsTo('/debugger/v2/input');
    assert.ok(events.length > 0, 'events go to /debugger/v2/input');
    assert.ok(ajv.validate(schema('library-debugger-v1-input-request.json'), events.map((r) => ({ headers: {}, content: r.json }))), ajv.errorsText());
    const diag = agent.requestsTo('/debugger/v1/diagnostics');
    const diagContent = diag.map((r) => ({ headers: {}, content: r.parts!.find((p) => p.name === 'event')!.json }));
    assert.ok(ajv.validate(schema('library-debugger-v1-diagnostics-request.json'), diagContent), ajv.errorsText());
    assert.match(String(events[0]!.query['ddtags']), /env:test/);

    const snap = first['debugger'].snapshot;
    assert.equal(first['service'], 'rc-fixture');
    assert.deepEqual(snap.probe.location, { file: 'rc/app.js', lines: ['5'] });
    const ctx = snap.captures.lines['5'];
    assert.deepEqual(Object.keys(ctx.arguments).sort(), ['cart', 'user']);
    assert.equal(ctx.locals.total.type, 'number');

    // The RC file is acknowledged (apply_state 2).
    const acked = await agent.waitFor(
      () => agent.rcRequests().find((r) => r['client'].state.config_states?.some((c: any) => c.product === 'LIVE_DEBUGGING' && c.apply_state === 2)),
      5000,
      'RC acknowledgement',
    );
    assert.equal(acked['client'].client_tracer.service, 'rc-fixture');

    // Modify: a new version replaces the old one.
    agent.setRcProbes([probe(2, 'second')]);
    await agent.waitFor(status('INSTALLED', 2), 5000, 'INSTALLED v2');
    await agent.waitFor(() => agent.events().find((e) => e['message'] === 'second'), 5000, 'event v2');

    // Switch DI off over APM_TRACING: no more events; back on: the probe returns.
    agent.setRcFiles([
      { product: 'LIVE_DEBUGGING', id: 'rc-probe-1', content: probe(2, 'second') },
      { product: 'APM_TRACING', id: 'apm', content: { lib_config: { dynamic_instrumentation_enabled: false } } },
    ]);
    await agent.waitFor(
      () => agent.rcRequests().find((r) => r['client'].state.config_states?.some((c: any) => c.product === 'APM_TRACING' && c.apply_state === 2)),
      5000,
      'APM_TRACING applied',
    );
    await new Promise((r) => setTimeout(r, 300));
    const countOff = agent.events().length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(agent.events().length, countOff, 'no events while DI is off');
    agent.setRcFiles([
      { product: 'LIVE_DEBUGGING', id: 'rc-probe-1', content: probe(2, 'second') },
      { product: 'APM_TRACING', id: 'apm', content: { lib_config: { dynamic_instrumentation_enabled: true } }, version: 2 },
    ]);
    await agent.waitFor(() => agent.events().length > countOff, 5000, 'events after DI back on');

    // Delete: the probe stops. The client holds no file any more (cached_target_files is top-level).
    const beforeDelete = agent.rcRequests().length;
    agent.setRcProbes([]);
    await agent.waitFor(
      () => agent.rcRequests().slice(beforeDelete).find((r) => Array.isArray(r['cached_target_files']) && r['cached_target_files'].length === 0),
      5000,
      'RC delete seen',
    );
    await new Promise((r) => setTimeout(r, 300));
    const countDeleted = agent.events().length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(agent.events().length, countDeleted, 'no events after delete');
  } finally {
    app.child.kill('SIGTERM');
    const run = await app.done;
    await agent.close();
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'ready\ncalls true\n');
    assert.equal(run.stderr, '');
  }
});

test('an unreachable, failing or garbage-answering backend changes nothing in the application', async () => {
  const cwd = path.join(FIXTURES, 'engine/rc');
  const baseline = startApp({ cwd, args: ['app.js'], preload: false, network: true });
  await ready(baseline);
  baseline.child.kill('SIGTERM');
  const expected = await baseline.done;
  assert.equal(expected.stdout, 'ready\ncalls true\n');

  const broken = await FakeAgent.start();
  broken.injectFault({ kind: 'status', status: 500, body: 'boom' }, { path: '/debugger/v1/diagnostics' });
  broken.injectFault({ kind: 'garbage' }, { path: '/v0.7/config' });
  broken.injectFault({ kind: 'reset' }, { path: '/debugger/v2/input' });
  broken.setRcProbes([probe(1, 'never acknowledged')]);
  const down = await FakeAgent.start();
  await down.down(); // a port nobody listens on
  try {
    for (const url of [down.url.toString(), broken.url.toString()]) {
      const app = startApp({
        cwd,
        args: ['app.js'],
        preload: 'require',
        network: true,
        env: { DD_TRACE_AGENT_URL: url, DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.05', DD_DYNAMIC_INSTRUMENTATION_UPLOAD_INTERVAL_SECONDS: '0.05' },
      });
      await ready(app);
      if (url === broken.url.toString()) {
        // Every faulted endpoint has been through its failure at least once (twice for RC polls).
        await broken.waitFor(() => broken.requestsTo('/v0.7/config').length >= 2, 10_000, 'RC polls against garbage');
      } else {
        // Nothing can be observed of an agent that is not there: give the app time to fail at it.
        await new Promise((r) => setTimeout(r, 500));
      }
      app.child.kill('SIGTERM');
      const started = Date.now();
      const run = await app.done;
      assert.equal(run.code, expected.code, `${url}: ${run.stderr}`);
      assert.equal(run.stdout, expected.stdout, url);
      assert.equal(run.stderr, '', url);
      assert.ok(Date.now() - started < 5000, 'the agent does not keep the process alive');
    }
  } finally {
    await broken.close();
    await down.close();
  }
});
