#!/usr/bin/env node
// The newcomer's first five minutes: starts the Periscope server (embedded SQLite), a demo
// TypeScript service with the agent preloaded, sets a probe on a TypeScript line through the
// API, sends some traffic and prints the snapshot that comes back.
// Usage: npm start [-- --once] [-- --port 8126]
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '@periscope/server';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const once = process.argv.includes('--once');
const portArg = process.argv.indexOf('--port');
const say = (s) => console.log(s);

// 1. The server: the default port when free, else any free port.
const dataDir = path.join(root, '.periscope-data', 'demo');
let server;
try {
  server = await startServer({ port: portArg > 0 ? Number(process.argv[portArg + 1]) : 8126, dataDir });
} catch (err) {
  if (err?.code !== 'EADDRINUSE') throw err;
  server = await startServer({ port: 0, dataDir });
  say(`(port ${portArg > 0 ? process.argv[portArg + 1] : 8126} is busy: using ${server.url} instead)`);
}
say(`1. Periscope server   ${server.url}  (SQLite in ${path.relative(root, dataDir)})`);

// 2. The demo service, compiled by tsc with source maps, started with the agent preloaded.
const demoDir = path.join(root, 'examples', 'demo-shop');
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', demoDir], { stdio: 'inherit' });
if (tsc.status !== 0) throw new Error('compiling the demo app failed');
const app = spawn(process.execPath, ['--import', '@periscope/agent/register', 'dist/server.js'], {
  cwd: demoDir,
  env: {
    ...process.env,
    DD_TRACE_AGENT_URL: server.url,
    DD_SERVICE: 'demo-shop',
    DD_ENV: 'demo',
    DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.5',
    DD_DYNAMIC_INSTRUMENTATION_UPLOAD_INTERVAL_SECONDS: '0.2',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const appPort = await new Promise((resolve, reject) => {
  app.stdout.on('data', (d) => {
    const m = /listening on (\d+)/.exec(String(d));
    if (m) resolve(Number(m[1]));
  });
  app.on('exit', (code) => reject(new Error(`demo app exited with ${code}`)));
});
say(`2. demo-shop          http://127.0.0.1:${appPort}/orders  (TypeScript, agent preloaded)`);

// 3. A snapshot probe on a TypeScript line, only for big orders.
const api = async (method, p, body) => {
  const r = await fetch(new URL(p, server.url), { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body && JSON.stringify(body) });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(json)}`);
  return json;
};
const created = await api('POST', '/api/v1/probes', {
  target: 'src/orders.ts:20',
  service: 'demo-shop',
  when: 'order.total > 100', // DSL text, compiled by the server to the JSON AST
  template: 'big order {order.id} for {customer}',
  captureSnapshot: true,
});
const probe = created.probe ?? created;
say(`3. probe              src/orders.ts:20 when order.total > 100 (id ${probe.id})`);

// 4. Traffic until the snapshot arrives.
const deadline = Date.now() + 30_000;
let event;
let sent = 0;
while (!event && Date.now() < deadline) {
  const big = sent % 2 === 1;
  await fetch(`http://127.0.0.1:${appPort}/orders?customer=${big ? 'ada' : 'bob'}&sku=${big ? 'desk' : 'book'}&qty=${big ? 2 : 1}`).then((r) => r.text());
  sent++;
  const list = await api('GET', `/api/v1/events?probeId=${encodeURIComponent(probe.id)}&limit=1`);
  event = (list.events ?? list)[0];
  if (!event) await new Promise((r) => setTimeout(r, 300));
}
if (!event) throw new Error('no snapshot arrived within 30 s');
const snapshot = event.event?.debugger?.snapshot;
say(`4. traffic            ${sent} requests sent`);
say(`5. snapshot           "${event.message}"`);
const ctx = snapshot?.captures?.lines?.['20'];
const show = (v) => (v.value !== undefined ? v.value : v.fields ? `{${Object.keys(v.fields).join(', ')}}` : v.elements ? `[${v.elements.length} items]` : v.type);
for (const [kind, vars] of Object.entries({ arguments: ctx?.arguments ?? {}, locals: ctx?.locals ?? {} })) {
  for (const [name, v] of Object.entries(vars)) say(`     ${kind.padEnd(9)} ${name} = ${show(v)}`);
}
const top = snapshot?.stack?.[0];
if (top) say(`     at ${top.function} (${path.relative(demoDir, top.fileName)}:${top.lineNumber})`);

// The CLI defaults to http://127.0.0.1:8126; when the demo got another port, the hints say so.
const serverFlag = server.url === 'http://127.0.0.1:8126' ? '' : ` --server ${server.url}`;
const hints = ['probe ls', 'tail', 'symbols place'].map((c) => `npx periscope ${c}${serverFlag}`).join('   |   ');
if (once) {
  say(`\nWhile it runs (npm start), try:  ${hints}`);
  app.kill();
  await server.close();
  process.exit(0);
}
say(`\nStill running. Try:  ${hints}`);
if (serverFlag) say(`(or once per shell: export PERISCOPE_SERVER=${server.url})`);
say('Ctrl-C to stop.');
const shutdown = async () => {
  app.kill();
  await server.close();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
