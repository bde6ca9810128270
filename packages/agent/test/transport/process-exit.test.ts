/**
 * A real child process that uses only the HTTP sink and the RC client must exit on its own once
 * its own work is done, whatever the agent does, and must deliver what it queued on the way out.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { FakeAgent } from '../helpers/fake-agent.js';

const transport = new URL('../../src/transport/index.js', import.meta.url).href;
const remoteConfig = new URL('../../src/remote-config/index.js', import.meta.url).href;
const settings = new URL('../../src/config/settings.js', import.meta.url).href;

// The "app": sets the agent up, queues one event and one status, does a little work and returns.
// Upload interval one hour: only the exit-time flush can deliver them.
const APP = `
import { AgentClient, HttpSink } from ${JSON.stringify(transport)};
import { RemoteConfigClient, probeConfigHandler } from ${JSON.stringify(remoteConfig)};
import { loadConfig } from ${JSON.stringify(settings)};
process.on('unhandledRejection', (e) => { console.error('unhandled', e); process.exitCode = 70; });
const config = loadConfig({ agentUrl: process.env.AGENT_URL, uploadIntervalSeconds: 3600, remoteConfigPollIntervalSeconds: 0.05 }, {});
// One client shared by both, as the agent wires them; AGENT_TIMEOUT_MS unset means the default.
const client = new AgentClient({ agentUrl: config.agentUrl, timeoutMs: Number(process.env.AGENT_TIMEOUT_MS) || undefined });
const sink = new HttpSink({ config, client });
const rc = new RemoteConfigClient({ config, client });
rc.registerProduct('LIVE_DEBUGGING', probeConfigHandler({ onProbe() {}, onProbeRemoved() {} }));
rc.start();
sink.emitEvent({ ddsource: 'dd_debugger', service: 'exit-app', hostname: 'h', message: 'bye', timestamp: 1,
  logger: { name: 'app.js', method: 'main', version: 0, thread_id: '1', thread_name: 'main' },
  debugger: { snapshot: { id: 's1', timestamp: 1, language: 'javascript', probe: { id: 'p1', version: 0, location: { file: 'app.js', lines: ['1'] } } } } });
sink.emitStatus({ ddsource: 'dd_debugger', service: 'exit-app', timestamp: 1, message: 'installed',
  debugger: { diagnostics: { probeId: 'p1', probeVersion: 0, runtimeId: config.runtimeId, parentId: null, status: 'INSTALLED' } } });
setTimeout(() => console.log('app done'), 100);
`;

function runApp(agentUrl: string, timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', APP], {
      env: { ...process.env, AGENT_URL: agentUrl, AGENT_TIMEOUT_MS: String(timeoutMs ?? ''), NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // A guard against a hang, not a speed assertion: the exit-time flush is bounded by a 2 s timeout.
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app did not exit on its own (stdout: ${stdout}, stderr: ${stderr})`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('process exit', () => {
  let agent: FakeAgent;
  before(async () => {
    agent = await FakeAgent.start();
  });
  after(async () => {
    await agent.close();
  });

  test('exits on its own and flushes the queued event and status on the way out', async () => {
    agent.clearRequests();
    const { code, stdout, stderr } = await runApp(agent.url.toString());
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout.trim(), 'app done');
    assert.deepEqual(agent.events().map((e) => e['message']), ['bye']);
    // The sink asked /info at start: the exit flush uses v2, which this agent offers.
    assert.deepEqual(agent.requestsTo('/debugger/v2/input').map((r) => (r.json as Array<{ message: string }>)[0]?.message), ['bye']);
    assert.equal(agent.requestsTo('/info').length, 1);
    assert.deepEqual(agent.statuses().map((s) => s['debugger']['diagnostics']['status']), ['INSTALLED']);
    assert.ok(agent.rcRequests().length >= 1, 'the RC client polled');
  });

  test('an agent without v2: the exit flush sends events to /debugger/v1/diagnostics', async () => {
    const old = await FakeAgent.start({ endpoints: ['/debugger/v1/diagnostics', '/v0.7/config'] });
    try {
      const { code, stderr } = await runApp(old.url.toString());
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.equal(old.requestsTo('/debugger/v2/input').length, 0);
      assert.deepEqual(old.events().map((e) => e['message']), ['bye']);
    } finally {
      await old.close();
    }
  });

  test('exits on its own when the agent never answers', async () => {
    agent.clearRequests();
    agent.injectFault({ kind: 'hang' });
    try {
      const { code, stdout, stderr } = await runApp(agent.url.toString(), 300);
      assert.equal(stderr, '');
      assert.equal(code, 0);
      assert.equal(stdout.trim(), 'app done');
      assert.ok(agent.requestsTo('/v0.7/config').length >= 1);
      // The exit-time flush tried once per stream, without a discovery round trip.
      assert.equal(agent.requestsTo('/debugger/v1/diagnostics').length, 2);
    } finally {
      agent.clearFaults();
    }
  });

  test('exits on its own when the agent is unreachable', async () => {
    const gone = await FakeAgent.start();
    const url = gone.url.toString();
    await gone.close();
    const { code, stdout, stderr } = await runApp(url);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout.trim(), 'app done');
  });
});
