import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentClient } from '../../src/transport/index.js';
import { FakeAgent } from '../helpers/fake-agent.js';

const fastRetry = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, jitter: 0.5 };

describe('AgentClient', () => {
  let agent: FakeAgent;
  let client: AgentClient;
  before(async () => {
    agent = await FakeAgent.start();
    client = new AgentClient({ agentUrl: agent.url, retry: fastRetry });
  });
  after(async () => {
    client.close();
    await agent.close();
  });

  test('discovers endpoints through /info and caches them', async () => {
    agent.clearRequests();
    const info = await client.info({ refresh: true });
    assert.ok(info?.endpoints.includes('/debugger/v2/input'));
    assert.equal(await client.offers('/debugger/v2/input'), true);
    assert.equal(await client.offers('/nope'), false);
    assert.equal(agent.requestsTo('/info').length, 1);
  });

  test('re-probes /info once the cached answer is stale', async () => {
    const stale = new AgentClient({ agentUrl: agent.url, infoRefreshMs: 0 });
    agent.clearRequests();
    await stale.info();
    agent.setEndpoints(['/debugger/v1/diagnostics']);
    assert.equal(await stale.offers('/debugger/v2/input'), false);
    assert.equal(agent.requestsTo('/info').length, 2);
    agent.setEndpoints(['/debugger/v2/input']);
    stale.close();
  });

  test('an agent without /info gives undefined, not an error', async () => {
    agent.setEndpoints(null);
    assert.equal(await client.info({ refresh: true }), undefined);
    assert.equal(await client.offers('/debugger/v2/input'), undefined);
    agent.setEndpoints(['/debugger/v2/input']);
  });

  test('retries 5xx, 429 and connection resets, then succeeds', async () => {
    for (const fault of [{ kind: 'status', status: 503 }, { kind: 'status', status: 429 }, { kind: 'reset' }] as const) {
      agent.clearRequests();
      agent.injectFault(fault, { path: '/debugger/v1/diagnostics', times: 2 });
      const res = await client.request({ method: 'POST', path: '/debugger/v1/diagnostics', body: '[]', retry: true });
      assert.equal(res.kind, 'response', fault.kind);
      assert.equal(res.kind === 'response' && res.status, 200);
      assert.equal(res.attempts, 3);
      assert.equal(agent.requestsTo('/debugger/v1/diagnostics').length, 3);
    }
  });

  test('gives up after maxAttempts and reports the last outcome', async () => {
    agent.clearRequests();
    const remove = agent.injectFault({ kind: 'status', status: 500 }, { path: '/debugger/v1/diagnostics' });
    const res = await client.request({ method: 'POST', path: '/debugger/v1/diagnostics', body: '[]', retry: true });
    remove();
    assert.deepEqual([res.kind, res.kind === 'response' && res.status, res.attempts], ['response', 500, 3]);
    assert.equal(agent.requestsTo('/debugger/v1/diagnostics').length, 3);
  });

  test('never retries 400', async () => {
    agent.clearRequests();
    agent.injectFault({ kind: 'status', status: 400 }, { path: '/debugger/v1/diagnostics', times: 1 });
    const res = await client.request({ method: 'POST', path: '/debugger/v1/diagnostics', body: '[]', retry: true });
    assert.equal(res.kind === 'response' && res.status, 400);
    assert.equal(agent.requestsTo('/debugger/v1/diagnostics').length, 1);
  });

  test('a request without retry makes one attempt', async () => {
    agent.clearRequests();
    agent.injectFault({ kind: 'status', status: 503 }, { path: '/info', times: 1 });
    const res = await client.request({ method: 'GET', path: '/info' });
    assert.equal(res.kind === 'response' && res.status, 503);
    assert.equal(agent.requestsTo('/info').length, 1);
  });

  test('times out a hanging agent', async () => {
    agent.injectFault({ kind: 'hang' }, { path: '/info', times: 1 });
    const res = await client.request({ method: 'GET', path: '/info', timeoutMs: 50 });
    assert.equal(res.kind === 'error' && res.code, 'TIMEOUT');
  });

  test('reports a refused connection as a network error', async () => {
    const gone = await FakeAgent.start();
    const url = gone.url;
    await gone.close();
    const c = new AgentClient({ agentUrl: url });
    const res = await c.request({ method: 'GET', path: '/info' });
    assert.equal(res.kind === 'error' && res.code, 'NETWORK');
    assert.equal(await c.info(), undefined);
    c.close();
  });

  test('close() cuts a pending retry wait short', async () => {
    const c = new AgentClient({ agentUrl: agent.url, retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } });
    agent.injectFault({ kind: 'status', status: 503 }, { path: '/debugger/v1/diagnostics', times: 1 });
    const pending = c.request({ method: 'POST', path: '/debugger/v1/diagnostics', body: '[]', retry: true });
    await agent.waitFor(() => agent.requestsTo('/debugger/v1/diagnostics').some((r) => r.status === 503));
    c.close();
    const res = await pending;
    assert.equal(res.kind === 'error' && res.code, 'CLOSED');
    assert.equal(res.attempts, 1);
  });

  test('talks to an agent on a Unix socket (unix:// URL)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'periscope-agent-'));
    const unixAgent = await FakeAgent.start({ socketPath: path.join(dir, 'apm.socket') });
    const c = new AgentClient({ agentUrl: unixAgent.url });
    try {
      assert.equal(unixAgent.url.protocol, 'unix:');
      assert.equal(await c.offers('/debugger/v2/input'), true);
      const res = await c.request({ method: 'POST', path: '/debugger/v2/input?ddtags=a:b', body: '[{"x":1}]' });
      assert.equal(res.kind === 'response' && res.status, 202);
      assert.deepEqual(unixAgent.requestsTo('/debugger/v2/input')[0]?.json, [{ x: 1 }]);
      assert.equal(unixAgent.requestsTo('/debugger/v2/input')[0]?.query['ddtags'], 'a:b');
    } finally {
      c.close();
      await unixAgent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
