import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeTracer } from '../helpers/fake-tracer.js';
import { http } from '../helpers/test-server.js';

const BIN = fileURLToPath(new URL('../../../bin/periscope.js', import.meta.url));
const NODE = process.env['PERISCOPE_TEST_NODE'] ?? process.execPath;

/** Spawns `periscope server` and resolves with its URL once it prints the startup line. */
async function spawnServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(NODE, [BIN, 'server', '--port', '0', '--data-dir', dataDir, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, url: (JSON.parse(line) as { url: string }).url };
}

test('everything acknowledged with a 2xx survives SIGKILL of the server process', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'periscope-crash-'));
  let running: ChildProcess | undefined;
  try {
    const first = await spawnServer(dataDir);
    running = first.child;
    const url = first.url;

    const probe = await http(`${url}/api/v1/probes`, { body: { target: 'src/crash.ts:7', service: 'crash', captureSnapshot: true } });
    assert.equal(probe.status, 201);
    const id = probe.body.id as string;

    // RC: the first poll serves the probe, the second reports it applied (apply_state 2).
    const tracer = new FakeTracer(url, { service: 'crash' });
    assert.equal((await tracer.poll()).inserted.length, 1);
    assert.deepEqual((await tracer.poll()).response, {});

    const snapshot = await http(`${url}/debugger/v2/input`, {
      body: [{ ddsource: 'dd_debugger', service: 'crash', message: 'before the crash', debugger: { snapshot: { id: 'crash-1', probe: { id, version: 1 } } } }],
    });
    assert.equal(snapshot.status, 202);
    const form = new FormData();
    const status = [{ ddsource: 'dd_debugger', service: 'crash', debugger: { diagnostics: { probeId: id, probeVersion: 1, runtimeId: tracer.runtimeId, status: 'EMITTING' } } }];
    form.append('event', new Blob([JSON.stringify(status)], { type: 'application/json' }), 'event.json');
    const diagnostics = await fetch(`${url}/debugger/v1/diagnostics`, { method: 'POST', body: form });
    await diagnostics.arrayBuffer();
    assert.equal(diagnostics.status, 202);

    // No graceful close: the process dies right after the last acknowledgement.
    const exited = new Promise<NodeJS.Signals | null>((resolve) => first.child.once('exit', (_code, signal) => resolve(signal)));
    first.child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const second = await spawnServer(dataDir);
    running = second.child;
    const view = await http(`${second.url}/api/v1/probes/${id}`);
    assert.equal(view.status, 200);
    assert.equal(view.body.target, 'src/crash.ts:7');
    const events = await http(`${second.url}/api/v1/events?probeId=${id}`);
    assert.deepEqual(events.body.events.map((e: any) => e.message), ['before the crash']);
    const instance = view.body.instances.find((i: any) => i.runtimeId === tracer.runtimeId);
    assert.equal(instance.status, 'EMITTING');
    assert.equal(instance.applyState, 2);
    // The RC client state survived: the tracer is up to date, so nothing is re-sent.
    tracer.url = second.url;
    assert.deepEqual((await tracer.poll()).response, {});
  } finally {
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((resolve) => running!.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
