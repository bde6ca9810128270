import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../src/index.js';

// Our agent against our server: a probe set through the API installs in a TypeScript service,
// its snapshot comes back through the API and the live stream, and the service's symbols
// (uploaded by the agent's Symbol Database) are searchable.
const root = fileURLToPath(new URL('../../../../../', import.meta.url));
const demo = path.join(root, 'examples/demo-shop');
const require = createRequire(import.meta.url);
const node = process.env['PERISCOPE_TEST_NODE'] ?? process.execPath;

let app: ChildProcess | undefined;
const server = await startServer({ port: 0, dataDir: mkdtempSync(path.join(tmpdir(), 'periscope-e2e-')) });
after(async () => {
  app?.kill();
  await server.close();
});

async function api(method: string, p: string, body?: unknown): Promise<any> {
  const r = await fetch(new URL(p, server.url), {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return r.json();
}

async function eventually<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await api('GET', '/api/v1/symbols/search?q=place'))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('agent ↔ server: probe via API → INSTALLED → snapshot via API and stream; symbols searchable', async () => {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', demo], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout);
  app = spawn(node, ['--import', '@periscope/agent/register', 'dist/server.js'], {
    cwd: demo,
    env: {
      ...process.env,
      DD_TRACE_AGENT_URL: server.url,
      DD_SERVICE: 'shop-e2e',
      DD_VERSION: '2.0.0',
      DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.1',
      DD_DYNAMIC_INSTRUMENTATION_UPLOAD_INTERVAL_SECONDS: '0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    app!.stdout!.on('data', (d) => {
      const m = /listening on (\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
    app!.on('exit', (c) => reject(new Error(`app exited ${c}`)));
  });

  const created = await api('POST', '/api/v1/probes', {
    target: 'src/orders.ts:20',
    service: 'shop-e2e',
    when: 'order.total > 100',
    template: 'order {order.id}',
    captureSnapshot: true,
  });
  const probeId: string = created.id ?? created.probe?.id;
  assert.ok(probeId, JSON.stringify(created));

  await eventually('INSTALLED', async () => {
    const p = await api('GET', `/api/v1/probes/${probeId}`);
    return p.instances?.find((i: any) => i.status === 'INSTALLED');
  });

  // Subscribe to the live stream before the hit.
  const controller = new AbortController();
  const stream = await fetch(new URL(`/api/v1/events/stream?probeId=${probeId}`, server.url), { signal: controller.signal });
  const reader = stream.body!.getReader();
  const streamed = (async () => {
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += Buffer.from(value).toString();
      if (text.includes('event: probe-event')) return text;
    }
  })();

  await fetch(`http://127.0.0.1:${port}/orders?customer=ada&sku=desk&qty=1`).then((r) => r.text());
  await fetch(`http://127.0.0.1:${port}/orders?customer=bob&sku=book&qty=1`).then((r) => r.text());
  const event = await eventually('a snapshot', async () => (await api('GET', `/api/v1/events?probeId=${probeId}`)).events?.[0]);
  assert.equal(event.message, 'order 1');
  const ctx = event.event.debugger.snapshot.captures.lines['20'];
  assert.deepEqual(ctx.arguments.customer, { type: 'string', value: 'ada' });
  assert.equal(ctx.locals.order.fields.total.value, '216');
  const text = await streamed;
  controller.abort();
  assert.match(text, /"message":"order 1"/);

  const results = await eventually('symbols', async () => {
    const r = await api('GET', '/api/v1/symbols/search?q=placeOrder&service=shop-e2e');
    return r.results?.length ? r.results : undefined;
  });
  const fn = results.find((m: any) => m.name === 'placeOrder');
  assert.equal(fn.file, 'src/orders.ts');
  assert.ok(fn.injectibleLines.some((r: any) => r.start <= 20 && 20 <= r.end), JSON.stringify(fn.injectibleLines));
  const params = await api('GET', '/api/v1/symbols/search?q=customer&service=shop-e2e&kind=parameter');
  assert.ok(params.results.some((m: any) => m.name === 'customer' && m.type === 'string'), JSON.stringify(params.results));
});
