/**
 * The Symbol Database in a real application with the agent preloaded (`--import register`),
 * driven by the settings and by Remote Config through the fake agent, as a deployment would.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FakeAgent, type RcFileSpec } from '../helpers/fake-agent.js';
import { AGENT_ROOT, NODE, REGISTER } from '../helpers/run-app.js';
import { makeJsApp } from './helpers/apps.js';
import { symdbUploads, type SymdbUpload } from './helpers/symdb-process.js';

const AGENT_INDEX = pathToFileURL(path.join(AGENT_ROOT, 'dist/src/index.js')).href;

/**
 * The js-app fixture with an ESM entry that stays up and answers commands over IPC: `require`
 * loads a file, `wait` calls the public `waitForSymbolUploads()`.
 */
const ENTRY = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { waitForSymbolUploads, getAgent } = await import(process.env.AGENT_INDEX);
require('./main.js');
const reply = (id) => process.send({ id, diEnabled: getAgent()?.isEnabled, probes: getAgent()?.probes.list().length });
process.on('message', async (msg) => {
  if (msg.cmd === 'require') require(msg.file);
  if (msg.cmd === 'wait') await waitForSymbolUploads();
  if (msg.cmd === 'exit') return process.disconnect();
  reply(msg.id);
});
reply(0);
`;

interface Reply {
  id: number;
  diEnabled: boolean | undefined;
  probes: number | undefined;
}

class PreloadedApp {
  readonly root = makeJsApp();
  readonly #child: ChildProcess;
  readonly #replies = new Map<number, (r: Reply) => void>();
  readonly #exited: Promise<number | null>;
  #nextId = 1;
  stderr = '';

  constructor(env: Record<string, string>) {
    writeFileSync(path.join(this.root, 'entry.mjs'), ENTRY);
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(base)) if (k.startsWith('DD_') || k.startsWith('PERISCOPE_')) delete base[k];
    delete base['NODE_OPTIONS'];
    delete base['NODE_TEST_CONTEXT'];
    this.#child = spawn(NODE, ['--import', REGISTER, 'entry.mjs'], {
      cwd: this.root,
      env: { ...base, AGENT_INDEX, DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.05', ...env },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.#child.stderr!.on('data', (d) => (this.stderr += d));
    this.#child.on('message', (r: Reply) => {
      this.#replies.get(r.id)?.(r);
      this.#replies.delete(r.id);
    });
    this.#exited = new Promise((resolve) => this.#child.on('exit', (code) => resolve(code)));
  }

  ready(): Promise<Reply> {
    return this.#reply(0);
  }

  send(msg: { cmd: 'require'; file: string } | { cmd: 'wait' }): Promise<Reply> {
    const id = this.#nextId++;
    const reply = this.#reply(id);
    this.#child.send({ ...msg, id });
    return reply;
  }

  /** Lets the application end on its own (the agent must not hold it), and returns its exit code. */
  async close(): Promise<number | null> {
    if (this.#child.connected) this.#child.send({ cmd: 'exit', id: -1 });
    return this.#exited;
  }

  #reply(id: number): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.#replies.set(id, resolve);
      void this.#exited.then((code) => reject(new Error(`app exited with ${code}: ${this.stderr}`)));
    });
  }
}

let agent: FakeAgent;
before(async () => {
  agent = await FakeAgent.start();
});
after(async () => {
  await agent.close();
});

const symdbFile = (content: unknown, version: number): RcFileSpec => ({ product: 'LIVE_DEBUGGING_SYMBOL_DB', id: 'symDb', content, version });

function uploadsOf(service: string): SymdbUpload[] {
  return symdbUploads(agent).filter((u) => u.event.service === service);
}

function roots(upload: SymdbUpload): string[] {
  return upload.attachment.scopes.map((s) => s.name).sort();
}

/** The first RC request from this service whose state acknowledges the symDb config at this version. */
function symdbAcked(service: string, version: number) {
  return () =>
    agent
      .rcRequests()
      .find(
        (r) =>
          r['client'].client_tracer.service === service &&
          r['client'].state.config_states?.some((c: any) => c.id === 'symDb' && c.version === version && c.apply_state === 2),
      );
}

test('DI off, DD_SYMBOL_DATABASE_UPLOAD_ENABLED=true: Remote Config starts uploads, hot-load works, no probe is installed', async () => {
  const service = 'symdb-no-di';
  agent.setRcFiles([
    symdbFile({ upload_symbols: true }, 1),
    { product: 'LIVE_DEBUGGING', id: 'logProbe_p1', content: { id: 'p1', version: 1, type: 'LOG_PROBE', where: { sourceFile: 'main.js', lines: ['8'] }, template: 'x' } },
  ]);
  const app = new PreloadedApp({
    DD_TRACE_AGENT_URL: agent.url.href,
    DD_SERVICE: service,
    DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'false',
    DD_SYMBOL_DATABASE_UPLOAD_ENABLED: 'true',
  });
  try {
    const ready = await app.ready();
    assert.equal(ready.diEnabled, false);
    const first = await agent.waitFor(() => uploadsOf(service)[0], 15_000, 'first symdb upload');
    assert.deepEqual(roots(first), ['entry.mjs', 'lib/orders.js', 'main.js']);

    // Code loaded later is tracked and uploaded although the debugger is off for probes.
    await app.send({ cmd: 'require', file: './lib/lazy.js' });
    const done = await app.send({ cmd: 'wait' });
    assert.deepEqual(uploadsOf(service).map(roots), [['entry.mjs', 'lib/orders.js', 'main.js'], ['lib/lazy.js']]);
    assert.equal(done.diEnabled, false);
    assert.equal(done.probes, 0);

    // Only the symbol product is subscribed: the probe file is neither requested nor acknowledged.
    const requests = agent.rcRequests().filter((r) => r['client'].client_tracer.service === service);
    assert.ok(requests.length > 0);
    for (const r of requests) assert.deepEqual(r['client'].products, ['LIVE_DEBUGGING_SYMBOL_DB']);
    assert.equal(agent.statuses().filter((s) => s['service'] === service).length, 0);
  } finally {
    agent.setRcFiles([]);
    assert.equal(await app.close(), 0, app.stderr);
  }
});

test('DI off, forced upload with Remote Config off: uploads at start; waitForSymbolUploads() waits for it', async () => {
  const service = 'symdb-forced';
  const app = new PreloadedApp({
    DD_TRACE_AGENT_URL: agent.url.href,
    DD_SERVICE: service,
    DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'false',
    DD_REMOTE_CONFIGURATION_ENABLED: 'false',
    DD_INTERNAL_FORCE_SYMBOL_DATABASE_UPLOAD: 'true',
  });
  try {
    await app.ready();
    // The public API resolves only once the back-fill is uploaded: the upload is there already.
    await app.send({ cmd: 'wait' });
    assert.deepEqual(uploadsOf(service).map(roots), [['entry.mjs', 'lib/orders.js', 'main.js']]);
    assert.equal(agent.rcRequests().filter((r) => r['client'].client_tracer.service === service).length, 0);
  } finally {
    assert.equal(await app.close(), 0, app.stderr);
  }
});

test('Remote Config on/off/on and a changed config that still says true: each start uploads everything again', async () => {
  const service = 'symdb-rc-toggle';
  const app = new PreloadedApp({ DD_TRACE_AGENT_URL: agent.url.href, DD_SERVICE: service });
  try {
    const ready = await app.ready();
    assert.equal(ready.diEnabled, true);
    const all = ['entry.mjs', 'lib/orders.js', 'main.js'];

    agent.setRcFiles([symdbFile({ upload_symbols: true }, 1)]);
    await agent.waitFor(() => uploadsOf(service).length === 1, 15_000, 'upload after RC on');
    assert.deepEqual(roots(uploadsOf(service)[0]!), all);

    // Off: acknowledged, then code loaded meanwhile is not uploaded (waitForSymbolUploads has nothing to wait for).
    agent.setRcFiles([symdbFile({ upload_symbols: false }, 2)]);
    await agent.waitFor(symdbAcked(service, 2), 5000, 'RC off acknowledged');
    await app.send({ cmd: 'require', file: './lib/lazy.js' });
    await app.send({ cmd: 'wait' });
    assert.equal(uploadsOf(service).length, 1, 'nothing uploaded while off');

    // On again: everything, including what loaded while off.
    agent.setRcFiles([symdbFile({ upload_symbols: true }, 3)]);
    await agent.waitFor(() => uploadsOf(service).length === 2, 15_000, 'upload after RC on again');
    const withLazy = [...all, 'lib/lazy.js'].sort();
    assert.deepEqual(roots(uploadsOf(service)[1]!), withLazy);

    // A new config (new hash) that still says true: stop, then start again.
    agent.setRcFiles([symdbFile({ upload_symbols: true, note: 'changed' }, 4)]);
    await agent.waitFor(() => uploadsOf(service).length === 3, 15_000, 'upload after RC update');
    const uploads = uploadsOf(service);
    assert.deepEqual(roots(uploads[2]!), withLazy);
    assert.deepEqual(uploads.map((u) => u.event.batchNum), [1, 2, 3]);
    assert.equal(new Set(uploads.map((u) => u.event.uploadId)).size, 1);
  } finally {
    agent.setRcFiles([]);
    assert.equal(await app.close(), 0, app.stderr);
  }
});

test('DD_SYMBOL_DATABASE_UPLOAD_ENABLED=true: switching DI off over Remote Config keeps code tracking for symbols', async () => {
  const service = 'symdb-di-switched-off';
  agent.setRcFiles([
    symdbFile({ upload_symbols: true }, 1),
    { product: 'APM_TRACING', id: 'apm', content: { lib_config: { dynamic_instrumentation_enabled: false } } },
  ]);
  const app = new PreloadedApp({ DD_TRACE_AGENT_URL: agent.url.href, DD_SERVICE: service, DD_SYMBOL_DATABASE_UPLOAD_ENABLED: 'true' });
  try {
    await app.ready();
    await agent.waitFor(
      () => agent.rcRequests().find((r) => r['client'].client_tracer.service === service && r['client'].state.config_states?.some((c: any) => c.product === 'APM_TRACING' && c.apply_state === 2)),
      10_000,
      'APM_TRACING applied',
    );
    await agent.waitFor(() => uploadsOf(service)[0], 15_000, 'first symdb upload');
    await app.send({ cmd: 'require', file: './lib/lazy.js' });
    const done = await app.send({ cmd: 'wait' });
    assert.equal(done.diEnabled, false);
    assert.deepEqual(uploadsOf(service).map(roots), [['entry.mjs', 'lib/orders.js', 'main.js'], ['lib/lazy.js']]);
  } finally {
    agent.setRcFiles([]);
    assert.equal(await app.close(), 0, app.stderr);
  }
});
