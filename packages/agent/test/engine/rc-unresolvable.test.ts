import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FakeAgent, probePath } from '../helpers/fake-agent.js';
import { FIXTURES, ready, startApp } from '../helpers/run-app.js';

const dir = path.join(FIXTURES, 'engine/rc-unresolvable');

const probe = (id: string, sourceFile: string, line: number) => ({
  id,
  version: 1,
  type: 'LOG_PROBE',
  language: 'javascript',
  where: { sourceFile, lines: [String(line)] },
  template: id,
  segments: [{ str: id }],
});

// issue 5: "A probe whose location cannot be resolved is still acknowledged at RC level; the
// problem goes to its diagnostic status."
test('Remote Config acknowledges probes it cannot place; their diagnostics say why (ERROR) or that they wait (RECEIVED)', async () => {
  const agent = await FakeAgent.start();
  const app = startApp({
    cwd: dir,
    args: ['app.js'],
    preload: 'require',
    network: true,
    env: {
      DD_TRACE_AGENT_URL: agent.url.toString(),
      DD_SERVICE: 'rc-unresolvable',
      DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.05',
      DD_DYNAMIC_INSTRUMENTATION_UPLOAD_INTERVAL_SECONDS: '0.05',
    },
  });
  try {
    await ready(app);
    const probes = [
      probe('no-code', 'rc-unresolvable/app.js', 2), // a comment line
      probe('pending', 'lib/never-loaded.js', 3), // a file the app never loads
      probe('placed', 'rc-unresolvable/app.js', 4), // control: installs and fires
    ];
    const ids = new Map(probes.map((p) => [p.id, probePath(p).split('/')[3]!]));
    agent.setRcProbes(probes);
    const diag = (id: string) =>
      agent
        .statuses()
        .filter((s) => s['debugger'].diagnostics.probeId === id)
        .map((s) => ({ status: s['debugger'].diagnostics.status as string, message: s['message'] as string }));
    await agent.waitFor(() => diag('placed').some((s) => s.status === 'EMITTING'), 10_000, 'control probe EMITTING');
    await agent.waitFor(() => diag('no-code').some((s) => s.status === 'ERROR'), 5000, 'no-code ERROR');
    await agent.waitFor(() => diag('pending').length > 0, 5000, 'pending RECEIVED');
    // The request after the one that delivered the files reports them.
    const states = await agent.waitFor(
      () =>
        agent
          .rcRequests()
          .map((r) => (r['client'].state.config_states ?? []) as Array<Record<string, unknown>>)
          .find((cs) => [...ids.values()].every((id) => cs.some((c) => c['id'] === id))),
      5000,
      'config_states listing the three probes',
    );
    for (const [probeId, configId] of ids) {
      assert.deepEqual(
        states.find((c) => c['id'] === configId),
        { id: configId, version: 1, product: 'LIVE_DEBUGGING', apply_state: 2, apply_error: '' },
        probeId,
      );
    }
    // Never reported otherwise, before or after.
    for (const r of agent.rcRequests()) {
      for (const c of (r['client'].state.config_states ?? []) as Array<Record<string, unknown>>) {
        if (c['product'] === 'LIVE_DEBUGGING') assert.equal(c['apply_state'], 2, JSON.stringify(c));
      }
    }
    assert.ok(agent.rcRequests().some((r) => (r['cached_target_files'] as unknown[] | undefined)?.length === 3), 'all three files are held');

    const noCode = diag('no-code');
    assert.deepEqual(noCode.map((s) => s.status), ['RECEIVED', 'ERROR']);
    assert.match(noCode[1]!.message, /No executable code at .*app\.js:2; nearest lines with code: 4$/);
    assert.deepEqual(diag('pending').map((s) => s.status), ['RECEIVED']);
    await agent.waitFor(() => agent.events().some((e) => e['message'] === 'placed'), 5000, 'control probe event');
    assert.ok(!agent.events().some((e) => e['message'] === 'no-code' || e['message'] === 'pending'));
  } finally {
    app.child.kill('SIGTERM');
    const run = await app.done;
    await agent.close();
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'ready\ncalls true\n');
    assert.equal(run.stderr, '');
  }
});
