/**
 * What the real agent puts on the wire validates. A Node process runs a fixture app with
 * @periscope/agent preloaded against an in-test HTTP agent; every request it makes (probe events,
 * diagnostics, the Symbol Database upload, Remote Config polls) is checked with this package's
 * validators and, where one exists, the system-tests schema for the same payload.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import {
  validateDiagnosticsBatch,
  validateProbe,
  validateProbeEventBatch,
  validateRcClientRequest,
  validateRcResponse,
  validateSymdbAttachment,
  validateSymdbEvent,
  type DiagnosticItem,
  type ProbeEvent,
  type RcClientRequest,
} from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const REGISTER = path.join(ROOT, 'packages/agent/dist/src/register.js');
const APP_SOURCE = path.join(ROOT, 'packages/protocol/test/fixtures/app.mjs');
const NODE = process.env['PERISCOPE_TEST_NODE'] ?? process.execPath;
const LINE = readFileSync(APP_SOURCE, 'utf8').split('\n').findIndex((l) => l.includes('// PROBE-LINE')) + 1;

const systemTests = new Ajv({ strict: false, allErrors: true });
const stSchema = (name: string) =>
  systemTests.compile(JSON.parse(readFileSync(path.join(ROOT, 'conformance/system-tests-probes/schemas', name), 'utf8')) as object);
const stInput = stSchema('library-debugger-v1-input-request.json');
const stDiagnostics = stSchema('library-debugger-v1-diagnostics-request.json');
const stSymdb = stSchema('library-symdb-v1-input-request.json');

const where = { sourceFile: 'fixtures/app.mjs', lines: [String(LINE)] };
const expr = (dsl: string, json: unknown) => ({ dsl, json });
const FILE_PROBES = [
  { id: 'snap', version: 0, type: 'LOG_PROBE', where, captureSnapshot: true, template: 'snapshot' },
  {
    id: 'tmpl', version: 2, type: 'LOG_PROBE', where, template: 'total is {total}',
    segments: [{ str: 'total is ' }, { dsl: 'total', json: { ref: 'total' } }],
  },
  {
    id: 'exprs', version: 0, type: 'LOG_PROBE', where, captureSnapshot: false,
    captureExpressions: [{ name: 'user', expr: expr('user', { ref: 'user' }), capture: { maxReferenceDepth: 1 } }, { name: 'count', expr: expr('summary.count', { getmember: [{ ref: 'summary' }, 'count'] }) }],
  },
  { id: 'evalerr', version: 0, type: 'LOG_PROBE', where, segments: [{ str: 'x=' }, { dsl: 'nope.x', json: { getmember: [{ ref: 'nope' }, 'x'] } }] },
  { id: 'badop', version: 0, type: 'LOG_PROBE', where, when: expr('notARealOperator(foo)', { notARealOperator: [{ ref: 'foo' }] }) },
  {
    id: 'both', version: 0, type: 'LOG_PROBE', where, captureSnapshot: true,
    captureExpressions: [{ name: 'a', expr: expr('total', { ref: 'total' }) }],
  },
];

const RC_PROBE = { id: 'rcprobe', version: 1, type: 'LOG_PROBE', where, template: 'from rc', segments: [{ str: 'from rc' }] };
const RC_PATH = `datadog/2/LIVE_DEBUGGING/logProbe_${RC_PROBE.id}/config`;

/** The one Remote Config update this agent gets: the RC probe, as targets version 1. */
function rcUpdate(): object {
  const raw = Buffer.from(JSON.stringify(RC_PROBE));
  const targets = {
    signatures: [],
    signed: {
      _type: 'targets', spec_version: '1.0.0', version: 1, expires: '2030-01-01T00:00:00Z',
      custom: { opaque_backend_state: Buffer.from('{"test":1}').toString('base64') },
      targets: { [RC_PATH]: { length: raw.length, hashes: { sha256: createHash('sha256').update(raw).digest('hex') }, custom: { v: 1 } } },
    },
  };
  return { targets: Buffer.from(JSON.stringify(targets)).toString('base64'), target_files: [{ path: RC_PATH, raw: raw.toString('base64') }], client_configs: [RC_PATH] };
}

interface Recorded {
  eventBatches: unknown[];
  diagnosticParts: Array<{ contentType: string; items: unknown }>;
  symdb: Array<{ event: unknown; eventType: string; attachment: unknown; fileType: string; gzipBytes: number; filename: string }>;
  rcRequests: unknown[];
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function parts(req: http.IncomingMessage, body: Buffer): Promise<FormData> {
  return new Response(body, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
}

function startAgentServer(rec: Recorded, changed: EventEmitter): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://x');
      let answer: unknown = {};
      if (url.pathname === '/info') {
        answer = { endpoints: ['/v0.7/config', '/debugger/v1/input', '/debugger/v1/diagnostics', '/debugger/v2/input', '/symdb/v1/input'] };
      } else if (url.pathname === '/v0.7/config') {
        const request = JSON.parse(body.toString('utf8')) as RcClientRequest;
        rec.rcRequests.push(request);
        if (request.client?.state?.targets_version === 0 && request.client.products.includes('LIVE_DEBUGGING')) answer = rcUpdate();
      } else if (url.pathname === '/debugger/v2/input') {
        rec.eventBatches.push(JSON.parse(body.toString('utf8')));
      } else if (url.pathname === '/debugger/v1/diagnostics') {
        const event = (await parts(req, body)).get('event') as File;
        rec.diagnosticParts.push({ contentType: event.type, items: JSON.parse(await event.text()) });
      } else if (url.pathname === '/symdb/v1/input') {
        const form = await parts(req, body);
        const event = form.get('event') as File;
        const file = form.get('file') as File;
        const gz = Buffer.from(await file.arrayBuffer());
        rec.symdb.push({
          event: JSON.parse(await event.text()), eventType: event.type,
          attachment: JSON.parse(gunzipSync(gz).toString('utf8')), fileType: file.type, gzipBytes: gz.length, filename: file.name,
        });
      }
      res.writeHead(url.pathname.startsWith('/debugger') || url.pathname.startsWith('/symdb') ? 202 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
      changed.emit('request');
    })().catch((e: unknown) => {
      res.writeHead(500).end(String(e));
      changed.emit('error', e);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const events = (rec: Recorded) => rec.eventBatches.flat() as ProbeEvent[];
const statuses = (rec: Recorded) => rec.diagnosticParts.flatMap((p) => p.items as DiagnosticItem[]);
const statusOf = (rec: Recorded, id: string, status: string) =>
  statuses(rec).find((s) => s.debugger.diagnostics.probeId === id && s.debugger.diagnostics.status === status);
const eventsOf = (rec: Recorded, id: string) => events(rec).filter((e) => e.debugger.snapshot.probe.id === id);

test('events, statuses, symdb uploads and RC polls from a real agent validate with both schemas', async () => {
  // The file probes include two invalid ones on purpose; the schema says so before the agent does.
  assert.deepEqual(
    FILE_PROBES.map((p) => validateProbe(p).ok),
    [true, true, true, true, false, false],
  );
  assert.ok(validateRcResponse(rcUpdate()).ok);

  const rec: Recorded = { eventBatches: [], diagnosticParts: [], symdb: [], rcRequests: [] };
  const changed = new EventEmitter();
  const server = await startAgentServer(rec, changed);
  const dir = mkdtempSync(path.join(tmpdir(), 'periscope-protocol-'));
  // The app runs from a copy: everything under packages/protocol is the agent's own code to the
  // agent (a dependency it loads), never a probe target.
  const app = path.join(dir, 'fixtures', 'app.mjs');
  mkdirSync(path.dirname(app));
  copyFileSync(APP_SOURCE, app);
  const probeFile = path.join(dir, 'probes.json');
  writeFileSync(probeFile, JSON.stringify(FILE_PROBES));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DD_TRACE_AGENT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'true',
    DD_DYNAMIC_INSTRUMENTATION_PROBE_FILE: probeFile,
    DD_DYNAMIC_INSTRUMENTATION_UPLOAD_INTERVAL_SECONDS: '0.1',
    DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.1',
    DD_SYMBOL_DATABASE_UPLOAD_ENABLED: 'true',
    DD_INTERNAL_FORCE_SYMBOL_DATABASE_UPLOAD: 'true',
    // The system-tests symdb schema pins the weblog's identity.
    DD_SERVICE: 'weblog',
    DD_ENV: 'system-tests',
    DD_VERSION: '1.0.0',
  };
  delete env['NODE_OPTIONS'];
  delete env['NODE_TEST_CONTEXT'];
  delete env['PERISCOPE_OUTPUT_FILE'];
  const child = spawn(NODE, ['--import', REGISTER, app], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;

  /** Resolves when `check` holds after some request; fails if the app exits or nothing comes for a long time. */
  const waitFor = (what: string, check: () => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        changed.off('request', tryNow);
        changed.off('error', done);
        child.off('exit', onExit);
        clearTimeout(deadline);
        if (err) reject(err);
        else resolve();
      };
      const summary = () =>
        `${events(rec).length} events, statuses ${JSON.stringify(statuses(rec).map((s) => `${s.debugger.diagnostics.probeId}:${s.debugger.diagnostics.status}`))}, ${rec.symdb.length} symdb, ${rec.rcRequests.length} rc\n${stderr}`;
      const tryNow = () => {
        if (check()) done();
      };
      const onExit = (code: number | null) => done(new Error(`app exited (${code}) while waiting for ${what}: ${summary()}`));
      const deadline = setTimeout(() => done(new Error(`no ${what} within 60 s: ${summary()}`)), 60_000);
      changed.on('request', tryNow);
      changed.on('error', done);
      child.on('exit', onExit);
      tryNow();
    });

  try {
    await once(child, 'message');
    await waitFor('file probe results, RC acknowledgement and a symdb upload', () =>
      ['snap', 'tmpl', 'exprs', 'evalerr'].every((id) => eventsOf(rec, id).length > 0) &&
      statusOf(rec, 'badop', 'ERROR') !== undefined &&
      statusOf(rec, 'both', 'ERROR') !== undefined &&
      statusOf(rec, RC_PROBE.id, 'INSTALLED') !== undefined &&
      (rec.rcRequests as RcClientRequest[]).some((r) => r.client.state.config_states?.some((c) => c.id === `logProbe_${RC_PROBE.id}` && c.apply_state === 2)) &&
      rec.symdb.length > 0,
    );
    child.send('hit');
    await waitFor('an event from the RC probe', () => eventsOf(rec, RC_PROBE.id).length > 0);
    child.send('exit');
    const [code] = await exited;
    assert.equal(code, 0, stderr);
  } finally {
    child.kill();
    server.close();
  }

  // Every request body, as sent.
  for (const batch of rec.eventBatches) {
    const r = validateProbeEventBatch(batch);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.ok(stInput(batch), systemTests.errorsText(stInput.errors));
  }
  for (const part of rec.diagnosticParts) {
    const r = validateDiagnosticsBatch(part.items);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.match(part.contentType, /^application\/json/);
    assert.ok(stDiagnostics([{ headers: { 'Content-Type': part.contentType }, content: part.items }]), systemTests.errorsText(stDiagnostics.errors));
  }
  for (const u of rec.symdb) {
    const e = validateSymdbEvent(u.event);
    assert.ok(e.ok, e.ok ? '' : e.errors.join('\n'));
    const a = validateSymdbAttachment(u.attachment);
    assert.ok(a.ok, a.ok ? '' : a.errors.join('\n'));
    assert.equal(e.value.attachmentSize, u.gzipBytes);
    assert.equal(u.eventType, 'application/json');
    assert.equal(u.fileType, 'application/gzip');
    assert.ok(u.filename.length > 0);
    assert.ok(
      stSymdb([{ headers: { 'Content-Type': u.eventType }, content: u.event }, { headers: { 'Content-Type': u.fileType }, content: u.attachment }]),
      systemTests.errorsText(stSymdb.errors),
    );
  }
  assert.ok(rec.symdb.some((u) => (u.attachment as { scopes: Array<{ source_file?: string }> }).scopes.some((s) => s.source_file?.endsWith('app.mjs'))));
  for (const request of rec.rcRequests as RcClientRequest[]) {
    const r = validateRcClientRequest(request);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    // The one agent rule a schema cannot express (remote-config.md §1).
    assert.notEqual(request.client.id, request.client.client_tracer?.runtime_id);
  }

  // The samples are the ones the test meant to produce, so that "valid" covers each shape.
  const snap = eventsOf(rec, 'snap')[0]!.debugger.snapshot;
  assert.deepEqual(snap.probe.location, { file: where.sourceFile, lines: [String(LINE)] });
  const locals = snap.captures?.lines?.[String(LINE)]?.locals ?? {};
  assert.ok(['total', 'summary'].every((n) => n in locals), JSON.stringify(Object.keys(locals)));
  assert.equal(eventsOf(rec, 'tmpl')[0]!.message, 'total is 5');
  assert.equal(eventsOf(rec, 'tmpl')[0]!.debugger.snapshot.probe.version, 2);
  assert.deepEqual(Object.keys(eventsOf(rec, 'exprs')[0]!.debugger.snapshot.captures?.lines?.[String(LINE)]?.captureExpressions ?? {}).sort(), ['count', 'user']);
  assert.ok((eventsOf(rec, 'evalerr')[0]!.debugger.snapshot.evaluationErrors ?? []).length > 0);
  assert.ok(statusOf(rec, 'both', 'ERROR')!.debugger.diagnostics.exception?.message.includes('captureSnapshot'));
});
