import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import { loadConfig, type AgentConfig } from '../../src/config/settings.js';
import { AgentClient, HttpSink, type HttpSinkOptions } from '../../src/transport/index.js';
import { FakeAgent } from '../helpers/fake-agent.js';
import { probeEvent, probeStatus } from './probe-data.js';

const SCHEMAS = new URL('../../../../../conformance/system-tests-probes/schemas/', import.meta.url);
const ajv = new Ajv({ strict: false, allErrors: true });
const validateDiagnostics = ajv.compile(JSON.parse(readFileSync(new URL('library-debugger-v1-diagnostics-request.json', SCHEMAS), 'utf8')));
const validateInput = ajv.compile(JSON.parse(readFileSync(new URL('library-debugger-v1-input-request.json', SCHEMAS), 'utf8')));

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

const fast = { requestRetry: { baseDelayMs: 5, maxDelayMs: 20 }, batchRetryBaseMs: 10, batchRetryMaxMs: 50 } satisfies Partial<HttpSinkOptions>;

function configFor(agent: FakeAgent, env: Record<string, string> = {}, uploadIntervalSeconds = 3600): AgentConfig {
  return loadConfig({ agentUrl: agent.url.toString(), uploadIntervalSeconds }, { DD_ENV: 'prod', DD_VERSION: '2.3.1', ...env });
}

describe('HttpSink', () => {
  let agent: FakeAgent;
  const sinks: HttpSink[] = [];
  const sink = (options: Omit<HttpSinkOptions, 'config'> & { config?: AgentConfig } = {}): HttpSink => {
    const s = new HttpSink({ config: configFor(agent), ...fast, ...options });
    sinks.push(s);
    return s;
  };
  before(async () => {
    agent = await FakeAgent.start();
  });
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    agent.clearFaults();
    agent.clearRequests();
    agent.setEndpoints(['/debugger/v2/input', '/debugger/v1/diagnostics', '/v0.7/config']);
    await agent.up();
  });
  after(async () => {
    await agent.close();
    assert.deepEqual(unhandled, [], 'no unhandled rejections');
  });

  test('batches events emitted together into one JSON array after the upload interval', async () => {
    const s = sink({ config: configFor(agent, {}, 0.02) });
    for (let i = 0; i < 3; i++) s.emitEvent(probeEvent(i));
    await agent.waitFor(() => s.stats().events.sentItems === 3, 5000, 'the batch to be delivered');
    const [req, ...more] = agent.requestsTo('/debugger/v2/input');
    assert.equal(more.length, 0);
    assert.equal(req?.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(req?.json, [probeEvent(0), probeEvent(1), probeEvent(2)]);
    assert.equal(s.stats().events.sentItems, 3);
    assert.equal(s.stats().events.sentBatches, 1);
  });

  test('holds events until the interval elapses or flush() is called', async () => {
    const s = sink();
    s.emitEvent(probeEvent(1));
    const probe = new AgentClient({ agentUrl: agent.url });
    await probe.info(); // a round trip to the agent, so that a wrongly armed timer would have had its turn
    probe.close();
    assert.equal(agent.requestsTo('/debugger/v2/input').length, 0);
    assert.equal(s.stats().events.queuedItems, 1);
    await s.flush();
    assert.equal(agent.events().length, 1);
    assert.equal(s.stats().events.queuedItems, 0);
  });

  test('uploads at once, in bodies within the batch limit, when more than a batch is queued', async () => {
    const s = sink({ maxBatchBytes: 4096 });
    for (let i = 0; i < 12; i++) s.emitEvent(probeEvent(i, 500)); // ~1.2 KB each
    await agent.waitFor(() => agent.events().length === 12, 5000, '12 events without flush()');
    const posts = agent.requestsTo('/debugger/v2/input');
    assert.ok(posts.length >= 4, `${posts.length} batches`);
    for (const p of posts) assert.ok(p.body.length <= 4096, `body of ${p.body.length} bytes`);
    assert.deepEqual(agent.events().map((e) => e['timestamp']), [...Array(12).keys()].map((i) => 1760000000000 + i));
  });

  test('events match the system-tests input schema', async () => {
    const s = sink();
    s.emitEvent(probeEvent(1));
    s.emitEvent(probeEvent(2));
    await s.flush();
    const body = agent.requestsTo('/debugger/v2/input')[0]?.json;
    assert.ok(validateInput(body), ajv.errorsText(validateInput.errors));
  });

  test('ddtags carry env, version, debugger_version, host_name and the git metadata', async () => {
    const s = sink({
      config: configFor(agent, { DD_GIT_REPOSITORY_URL: 'https://github.com/datadog/hello', DD_GIT_COMMIT_SHA: '1234hash' }),
      debuggerVersion: '1.2.3',
    });
    s.emitEvent(probeEvent(1));
    await s.flush();
    const tags = agent.requestsTo('/debugger/v2/input')[0]?.query['ddtags']?.split(',') ?? [];
    assert.ok(tags.includes('git.repository_url:https://github.com/datadog/hello'), tags.join(','));
    assert.ok(tags.includes('git.commit.sha:1234hash'), tags.join(','));
    assert.ok(tags.includes('env:prod'));
    assert.ok(tags.includes('version:2.3.1'));
    assert.ok(tags.includes('debugger_version:1.2.3'));
    assert.ok(tags.some((t) => t.startsWith('host_name:') && t.length > 'host_name:'.length));
  });

  test('ddtags drop values containing a comma and skip undefined ones', async () => {
    const s = sink({ config: loadConfig({ agentUrl: agent.url.toString(), version: '1,2' }, {}) });
    s.emitEvent(probeEvent(1));
    await s.flush();
    const tags = agent.requestsTo('/debugger/v2/input')[0]?.query['ddtags']?.split(',') ?? [];
    assert.equal(tags.some((t) => t.startsWith('version:')), false);
    assert.equal(tags.some((t) => t.startsWith('env:')), false);
    assert.ok(tags.some((t) => t.startsWith('debugger_version:')));
  });

  test('falls back for good to /debugger/v1/diagnostics when v2 answers 404, resending the batch', async () => {
    agent.injectFault({ kind: 'status', status: 404 }, { path: '/debugger/v2/input', times: 1 });
    const s = sink();
    s.emitEvent(probeEvent(1));
    await s.flush();
    s.emitEvent(probeEvent(2));
    await s.flush();
    assert.equal(agent.requestsTo('/debugger/v2/input').length, 1);
    const v1 = agent.requestsTo('/debugger/v1/diagnostics');
    assert.deepEqual(v1.map((r) => r.json), [[probeEvent(1)], [probeEvent(2)]]);
    assert.ok(v1.every((r) => r.query['ddtags']?.includes('env:prod')));
    assert.equal(s.stats().eventsEndpoint, '/debugger/v1/diagnostics');
  });

  test('uses /debugger/v1/diagnostics when /info does not list v2', async () => {
    agent.setEndpoints(['/debugger/v1/diagnostics']);
    const s = sink();
    s.emitEvent(probeEvent(1));
    await s.flush();
    assert.equal(agent.requestsTo('/debugger/v2/input').length, 0);
    assert.deepEqual(agent.events(), [probeEvent(1)]);
  });

  test('statuses go as one multipart event.json part that matches the system-tests schema', async () => {
    const s = sink();
    s.emitStatus(probeStatus('p1', 'RECEIVED'));
    s.emitStatus(probeStatus('p1', 'ERROR'));
    await s.flush();
    const [req] = agent.requestsTo('/debugger/v1/diagnostics');
    assert.match(String(req?.headers['content-type']), /^multipart\/form-data; boundary=/);
    assert.equal(req?.query['ddtags'], undefined);
    assert.equal(req?.parts?.length, 1);
    const part = req!.parts![0]!;
    assert.equal(part.headers['Content-Disposition'], 'form-data; name="event"; filename="event.json"');
    assert.equal(part.headers['Content-Type'], 'application/json; charset=utf-8');
    assert.deepEqual(part.json, [probeStatus('p1', 'RECEIVED'), probeStatus('p1', 'ERROR')]);
    // system-tests records a multipart body as [{ headers, content }] per part.
    const wire = req!.parts!.map((p) => ({ headers: p.headers, content: p.json }));
    assert.ok(validateDiagnostics(wire), ajv.errorsText(validateDiagnostics.errors));
  });

  test('retries a batch on 500 and delivers it', async () => {
    agent.injectFault({ kind: 'status', status: 500 }, { path: '/debugger/v2/input', times: 2 });
    const s = sink();
    s.emitEvent(probeEvent(1));
    await s.flush();
    assert.equal(agent.requestsTo('/debugger/v2/input').length, 3);
    assert.deepEqual(agent.events(), [probeEvent(1)]);
  });

  test('drops a batch the agent rejects with 400, without retrying', async () => {
    agent.injectFault({ kind: 'status', status: 400 }, { path: '/debugger/v2/input', times: 1 });
    const s = sink();
    s.emitEvent(probeEvent(1));
    await s.flush();
    assert.equal(agent.requestsTo('/debugger/v2/input').length, 1);
    assert.equal(s.stats().events.droppedRejected, 1);
    assert.equal(s.stats().events.queuedItems, 0);
    s.emitEvent(probeEvent(2));
    await s.flush();
    assert.deepEqual(agent.events(), [probeEvent(2)]);
  });

  test('agent down at start: events wait in the queue and arrive once it is up', async () => {
    await agent.down();
    const s = sink({ config: configFor(agent, {}, 0.01) });
    for (let i = 0; i < 5; i++) s.emitEvent(probeEvent(i));
    s.emitStatus(probeStatus('p1', 'INSTALLED'));
    await s.flush();
    assert.ok(s.stats().events.failedUploads >= 1);
    assert.equal(s.stats().events.queuedItems, 5);
    await agent.up();
    await agent.waitFor(() => agent.events().length === 5 && agent.statuses().length === 1, 10_000, 'delivery after the agent came back');
    assert.deepEqual(agent.events(), [0, 1, 2, 3, 4].map((i) => probeEvent(i)));
  });

  test('the queue stays bounded while the agent is unreachable', async () => {
    await agent.down();
    const s = sink({ events: { maxQueueItems: 50 }, statuses: { maxQueueBytes: 2048 } });
    for (let i = 0; i < 1000; i++) s.emitEvent(probeEvent(i));
    for (let i = 0; i < 100; i++) s.emitStatus(probeStatus(`p${i}`, 'RECEIVED'));
    await s.flush();
    const { events, statuses } = s.stats();
    assert.equal(events.queuedItems, 50);
    assert.equal(events.droppedOverflow, 950);
    assert.ok(statuses.queuedBytes <= 2048);
    assert.equal(statuses.queuedItems + statuses.droppedOverflow, 100);
    assert.ok(statuses.droppedOverflow > 0);
    await agent.up();
    await s.flush();
    assert.equal(agent.events().length, 50);
  });

  test('drops an item larger than a whole batch', async () => {
    const s = sink({ maxBatchBytes: 1024 });
    s.emitEvent(probeEvent(1, 2000));
    s.emitEvent(probeEvent(2));
    await s.flush();
    assert.equal(s.stats().events.droppedOversize, 1);
    assert.deepEqual(agent.events(), [probeEvent(2)]);
  });

  for (const [name, fault] of [
    ['slow beyond the timeout', { kind: 'slow', delayMs: 300 }],
    ['hanging', { kind: 'hang' }],
    ['answering 500', { kind: 'status', status: 500 }],
    ['answering 404 everywhere', { kind: 'status', status: 404 }],
    ['resetting connections', { kind: 'reset' }],
  ] as const) {
    test(`agent ${name}: nothing throws, the data stays queued and bounded`, async () => {
      agent.injectFault(fault);
      const client = new AgentClient({ agentUrl: agent.url, timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 5 } });
      const s = sink({ client, events: { maxQueueItems: 20 } });
      for (let i = 0; i < 30; i++) assert.doesNotThrow(() => s.emitEvent(probeEvent(i)));
      assert.doesNotThrow(() => s.emitStatus(probeStatus('p', 'EMITTING')));
      await s.flush();
      const { events, statuses } = s.stats();
      assert.ok(events.queuedItems <= 20);
      assert.equal(events.droppedOverflow, 10);
      // 404 on v2 triggers the fallback; 404 on the fallback is a final answer.
      if (fault.kind === 'status' && fault.status === 404) {
        assert.equal(events.droppedRejected, 20);
        assert.equal(statuses.droppedRejected, 1);
      } else {
        assert.equal(events.queuedItems, 20);
        assert.equal(statuses.queuedItems, 1);
      }
      await s.close();
      client.close();
    });
  }

  test('an item that cannot be serialised is dropped and counted, without throwing', async () => {
    const s = sink();
    const bad = { ...probeEvent(1), message: 1n } as unknown as ReturnType<typeof probeEvent>;
    assert.doesNotThrow(() => s.emitEvent(bad));
    s.emitEvent(probeEvent(2));
    await s.flush();
    assert.equal(s.stats().events.droppedUnserialisable, 1);
    assert.deepEqual(agent.events(), [probeEvent(2)]);
  });

  test('agent answering garbage with 200: counted as delivered, nothing throws', async () => {
    agent.injectFault({ kind: 'garbage' }, { path: '/debugger/v2/input' });
    const s = sink();
    s.emitEvent(probeEvent(1));
    await s.flush();
    assert.equal(s.stats().events.sentItems, 1);
  });

  test('close() flushes what is queued, then drops later items', async () => {
    const s = sink();
    s.emitEvent(probeEvent(1));
    s.emitStatus(probeStatus('p1', 'INSTALLED'));
    await s.close();
    assert.deepEqual(agent.events(), [probeEvent(1)]);
    assert.equal(agent.statuses().length, 1);
    s.emitEvent(probeEvent(2));
    assert.equal(s.stats().events.droppedClosed, 1);
    await s.close();
  });

  test('a beforeExit hook exists only while something is queued', async () => {
    const before = process.listenerCount('beforeExit');
    const s = sink();
    s.emitEvent(probeEvent(1));
    assert.equal(process.listenerCount('beforeExit'), before + 1);
    await s.flush();
    assert.equal(process.listenerCount('beforeExit'), before);
    await agent.down();
    s.emitStatus(probeStatus('p1', 'INSTALLED'));
    await s.close();
    assert.equal(process.listenerCount('beforeExit'), before);
  });
});
