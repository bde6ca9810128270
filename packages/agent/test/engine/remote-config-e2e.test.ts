import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { FakeAgent } from '../helpers/fake-agent.js';
import { FIXTURES, ready, startApp, type AppRun, type StartedApp } from '../helpers/run-app.js';
import type { HttpSinkStats } from '../../src/transport/index.js';

const SCHEMAS = new URL('../../../../../conformance/system-tests-probes/schemas/', import.meta.url);
const schema = (name: string) => JSON.parse(readFileSync(new URL(name, SCHEMAS), 'utf8')) as object;

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

// ---- The transport through outages, seen from the application ---------------------------------

const OUTAGE_CWD = path.join(FIXTURES, 'engine/transport-outage');
/** A log probe on the line the fixture runs about 2000 times a second (log probes emit up to 5000/s). */
const OUTAGE_PROBE = {
  id: 'outage-log',
  version: 0,
  type: 'LOG_PROBE',
  where: { sourceFile: 'transport-outage/app.js', lines: ['6'] },
  template: 'priced',
  segments: [{ str: 'priced' }],
};
/** The event queue's documented defaults (no setting changes them). */
const EVENT_QUEUE_CAPS = { maxQueueItems: 4096, maxQueueBytes: 8 * 1024 * 1024 };

/** What the fixture prints on stderr when sent SIGUSR2. */
interface AppView {
  n: number;
  transport: HttpSinkStats | null;
  heapUsed: number;
}

/** The outage fixture with the agent, and its own view of the agent's transport on demand. */
function startOutageApp(agent: FakeAgent) {
  const app = startApp({
    cwd: OUTAGE_CWD,
    args: ['app.js'],
    preload: 'require',
    network: true,
    probes: [OUTAGE_PROBE],
    timeoutMs: 110_000,
    env: {
      DD_TRACE_AGENT_URL: agent.url.toString(),
      DD_SERVICE: 'outage-fixture',
      DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.2',
      DD_DYNAMIC_INSTRUMENTATION_UPLOAD_INTERVAL_SECONDS: '0.1',
      // ~2000 log lines a second cost more than the default 20 % CPU budget on a slow machine; the
      // budget would (rightly) disable the probe, and this test is about the transport.
      PERISCOPE_PROBE_CPU_BUDGET_PERCENT: '0',
    },
  });
  const views: AppView[] = [];
  let onView: (() => void) | undefined;
  let pending = '';
  app.child.stderr!.on('data', (d: Buffer) => {
    pending += d.toString();
    for (let i = pending.indexOf('\n'); i !== -1; i = pending.indexOf('\n')) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      if (line.startsWith('diag ')) views.push(JSON.parse(line.slice('diag '.length)) as AppView);
    }
    onView?.();
  });

  /** Asks the app (SIGUSR2) and resolves with its answer. */
  const ask = (): Promise<AppView> =>
    new Promise((resolve, reject) => {
      const n = views.length + 1;
      const timer = setTimeout(() => reject(new Error(`the app did not answer diagnostics request ${n}`)), 10_000);
      onView = () => {
        const view = views.find((v) => v.n === n);
        if (!view) return;
        clearTimeout(timer);
        onView = undefined;
        resolve(view);
      };
      app.child.kill('SIGUSR2');
    });

  /**
   * Asks until `predicate` holds; every answer on the way must show the queues within their caps.
   * The pause between questions only paces them: the answer decides.
   */
  const until = async (predicate: (t: HttpSinkStats) => boolean, timeoutMs: number, description: string): Promise<HttpSinkStats> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await ask();
      const t = view.transport;
      assert.ok(t, 'diagnostics() includes the transport counters');
      assertWithinCaps(t, view.n);
      if (predicate(t)) return t;
      if (Date.now() > deadline) assert.fail(`${description}: not seen within ${timeoutMs} ms; last: ${JSON.stringify(t)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { app, ask, until, views };
}

function assertWithinCaps(t: HttpSinkStats, n: number): void {
  assert.equal(t.events.maxQueueItems, EVENT_QUEUE_CAPS.maxQueueItems);
  assert.equal(t.events.maxQueueBytes, EVENT_QUEUE_CAPS.maxQueueBytes);
  for (const q of [t.events, t.statuses]) {
    assert.ok(q.queuedItems <= q.maxQueueItems, `answer ${n}: ${q.queuedItems} items queued, cap ${q.maxQueueItems}`);
    assert.ok(q.queuedBytes <= q.maxQueueBytes, `answer ${n}: ${q.queuedBytes} bytes queued, cap ${q.maxQueueBytes}`);
  }
}

/** The fixture without agent: what its stdout and exit code must stay. */
async function outageBaseline(): Promise<AppRun> {
  const baseline = startApp({ cwd: OUTAGE_CWD, args: ['app.js'], preload: false, network: true });
  await ready(baseline);
  baseline.child.kill('SIGTERM');
  const run = await baseline.done;
  assert.equal(run.stdout, 'ready\ncalls true\nwrong 0\nerrors 0\n');
  return run;
}

/** Stops the app (and the fake agent). */
async function stopBoth(app: StartedApp, agent: FakeAgent): Promise<AppRun> {
  app.child.kill('SIGTERM');
  const run = await app.done;
  await agent.close();
  return run;
}

/** The app behaved as without agent: stdout, exit code, nothing on stderr but its answers. */
function assertUnchanged(run: AppRun, expected: AppRun): void {
  assert.equal(run.code, expected.code, run.stderr);
  assert.equal(run.stdout, expected.stdout);
  assert.deepEqual(run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('diag ')), [], 'nothing on stderr but the answers');
}

/** Accepted probe events received since request number `from`. */
function eventsSince(agent: FakeAgent, from: number): Array<Record<string, any>> {
  return agent.requests
    .slice(from)
    .filter((r) => r.status !== undefined && r.status < 300 && (r.path === '/debugger/v2/input' || (r.path === '/debugger/v1/diagnostics' && !r.parts)))
    .flatMap((r) => (Array.isArray(r.json) ? (r.json as Array<Record<string, any>>) : []));
}

test('the agent going away and coming back: the queue stays within its caps and counts drops, delivery resumes, the app is unchanged', async (t) => {
  const expected = await outageBaseline();
  const agent = await FakeAgent.start();
  const { app, until, views } = startOutageApp(agent);
  let run: AppRun;
  try {
    await ready(app);

    // A: the agent is up, events arrive.
    await agent.waitFor(() => eventsSince(agent, 0).length > 0, 15_000, 'events while the agent is up');
    const up = await until((s) => s.events.sentItems > 0, 10_000, 'sentItems > 0');
    assert.equal(up.eventsEndpoint, '/debugger/v2/input');
    const { n: lastUp, heapUsed: heapUp } = views.at(-1)!;

    // B: the agent goes away for as long as it takes the app to produce the queue's capacity
    // twice over: the queue fills to its cap, then every further event is dropped and counted.
    await agent.down();
    const downAt = Date.now();
    const full = await until((s) => s.events.droppedOverflow > 0, 30_000, 'drops while the agent is down');
    // Log lines are a few hundred bytes: the item cap is reached long before the byte cap.
    assert.equal(full.events.queuedItems, EVENT_QUEUE_CAPS.maxQueueItems);
    const longDown = await until(
      (s) => s.events.droppedOverflow >= full.events.droppedOverflow + EVENT_QUEUE_CAPS.maxQueueItems,
      60_000,
      'a queue-full of further drops',
    );
    assert.equal(longDown.events.queuedItems, EVENT_QUEUE_CAPS.maxQueueItems);
    assert.equal(longDown.events.sentItems, full.events.sentItems, 'nothing delivered while down');
    assert.ok(longDown.events.failedUploads >= 1, 'the failed deliveries are counted');
    const heapDown = Math.max(...views.filter((v) => v.n > lastUp).map((v) => v.heapUsed));
    t.diagnostic(`heapUsed: ${(heapUp / 2 ** 20).toFixed(1)} MiB up, at most ${(heapDown / 2 ** 20).toFixed(1)} MiB down; ${longDown.events.queuedBytes} bytes queued`);

    // C: the agent comes back: what the queue held is delivered, then new events.
    const requestsBeforeUp = agent.requests.length;
    const upAt = Date.now(); // before listening: an event stamped earlier cannot have left the app yet
    await agent.up();
    await agent.waitFor(() => eventsSince(agent, requestsBeforeUp).some((e) => e['timestamp'] > upAt), 60_000, 'new events after the agent came back');
    const whileDown = eventsSince(agent, 0).filter((e) => e['timestamp'] > downAt && e['timestamp'] < upAt).length;
    assert.ok(whileDown <= EVENT_QUEUE_CAPS.maxQueueItems, `${whileDown} events from the outage delivered: at most the queue's capacity`);
    assert.ok(whileDown >= EVENT_QUEUE_CAPS.maxQueueItems / 2, `${whileDown} events from the outage delivered: the queue kept them`);
    const back = await until((s) => s.events.sentItems >= longDown.events.sentItems + whileDown && s.events.queuedItems < EVENT_QUEUE_CAPS.maxQueueItems, 30_000, 'the queue drained');
    assert.ok(back.events.droppedOverflow >= longDown.events.droppedOverflow);
    assert.equal(back.events.droppedRejected, 0);
  } finally {
    run = await stopBoth(app, agent);
  }
  assertUnchanged(run, expected);
});

test('an agent answering after the client timeout, then 404 on /debugger/v2/input: the queue stays within its caps, delivery resumes, events fall back to v1/diagnostics, the app is unchanged', async () => {
  const expected = await outageBaseline();
  const agent = await FakeAgent.start();
  const { app, until } = startOutageApp(agent);
  let run: AppRun;
  try {
    await ready(app);
    await until((s) => s.events.sentItems > 0, 15_000, 'events delivered');

    // Slow: event uploads are answered after 6 s, well past the client's 2 s timeout.
    const answerInTime = agent.injectFault({ kind: 'slow', delayMs: 6000 }, { path: '/debugger/v2/input' });
    const slowFrom = agent.requests.length;
    await agent.waitFor(() => agent.requests.slice(slowFrom).filter((r) => r.fault === 'slow').length >= 2, 30_000, 'a timed-out upload tried again');
    const slow = await until((s) => s.events.droppedOverflow > 0, 30_000, 'drops while the agent is slow');
    assert.equal(slow.events.queuedItems, EVENT_QUEUE_CAPS.maxQueueItems);
    assert.deepEqual(eventsSince(agent, slowFrom), [], 'no late answer counted as delivered');

    answerInTime();
    const fastAgainAt = Date.now();
    await agent.waitFor(() => eventsSince(agent, slowFrom).some((e) => e['timestamp'] > fastAgainAt), 60_000, 'new events once the agent answers in time');

    // 404 on v2: the sink resends the batch to v1/diagnostics and stays there.
    agent.injectFault({ kind: 'status', status: 404, body: '404 page not found' }, { path: '/debugger/v2/input' });
    const notFoundFrom = agent.requests.length;
    const notFoundAt = Date.now();
    const fellBack = await until((s) => s.eventsEndpoint === '/debugger/v1/diagnostics', 30_000, 'the fallback to v1/diagnostics');
    const v2Asked = agent.requestsTo('/debugger/v2/input').length;
    await agent.waitFor(
      () =>
        agent.requests
          .slice(notFoundFrom)
          .filter((r) => r.path === '/debugger/v1/diagnostics' && !r.parts && r.status === 200)
          .filter((r) => Array.isArray(r.json) && (r.json as Array<Record<string, any>>).some((e) => e['timestamp'] > notFoundAt)).length >= 2,
      30_000,
      'events on /debugger/v1/diagnostics',
    );
    assert.equal(agent.requestsTo('/debugger/v2/input').length, v2Asked, 'v2 is not asked again');
    assert.equal(agent.requests.slice(notFoundFrom).filter((r) => r.path === '/debugger/v2/input' && r.status === 404).length, 1);
    const after = await until((s) => s.events.sentItems > fellBack.events.sentItems, 30_000, 'deliveries counted after the fallback');
    assert.equal(after.events.droppedRejected, 0, 'the batch refused with 404 was resent, not dropped');
  } finally {
    run = await stopBoth(app, agent);
  }
  assertUnchanged(run, expected);
});
