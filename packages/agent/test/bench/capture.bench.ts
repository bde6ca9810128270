/**
 * Micro-benchmark of snapshot capture (src/capture): µs per capture for a small scope, a real
 * `http.IncomingMessage`, and a scope that hits every limit. Prints one JSON line per case:
 * `{name, unit:'us', median, p95}`; the last case prunes a 5 MB event to 1 MiB.
 * Run: node packages/agent/dist/test/bench/capture.bench.js
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProbeEvent } from '@periscope/protocol';
import { DEFAULT_CAPTURE_LIMITS } from '@periscope/protocol';
import { CaptureContext, captureVariables, pruneEvent, Redaction } from '../../src/capture/index.js';

const redaction = new Redaction({ redactedIdentifiers: [], redactionExcludedIdentifiers: [], redactedTypes: [] });
/** A generous budget: the benchmark measures the work, not the cut-off. */
const BUDGET_MS = 1000;

function measureCapture(name: string, scope: Array<[string, unknown]>, iterations: number): void {
  measure(`capture ${name}`, iterations, () => {
    const ctx = new CaptureContext({ limits: DEFAULT_CAPTURE_LIMITS, redaction, deadline: performance.now() + BUDGET_MS });
    captureVariables(scope, ctx);
  });
}

function measure(name: string, iterations: number, run: () => void): void {
  for (let i = 0; i < Math.min(iterations, 500); i++) run();
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    run();
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  samples.sort();
  const pick = (q: number): number => Math.round(samples[Math.min(iterations - 1, Math.floor(q * iterations))]! * 100) / 100;
  process.stdout.write(JSON.stringify({ name, unit: 'us', median: pick(0.5), p95: pick(0.95) }) + '\n');
}

async function realRequest(): Promise<{ req: http.IncomingMessage; res: http.ServerResponse; close: () => Promise<void> }> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = http.get({ port, host: '127.0.0.1', path: '/users/42?expand=roles', headers: { 'x-request-id': 'abc', cookie: 'a=b' } });
  client.on('error', () => {});
  const [req, res] = (await once(server, 'request')) as [http.IncomingMessage, http.ServerResponse];
  return {
    req,
    res,
    close: async () => {
      res.end();
      await once(client, 'response').then(([r]) => (r as http.IncomingMessage).resume());
      server.close();
      await once(server, 'close');
    },
  };
}

function largeScope(): Array<[string, unknown]> {
  const wide: Record<string, number> = {};
  for (let i = 0; i < 1000; i++) wide[`field${i}`] = i;
  const deep: Record<string, unknown> = {};
  let cur = deep;
  for (let i = 0; i < 10; i++) cur = (cur['next'] = { i, label: `level ${i}` }) as Record<string, unknown>;
  const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `row ${i}`, tags: ['a', 'b'] }));
  const map = new Map(rows.map((r) => [r.id, r]));
  const scope: Array<[string, unknown]> = [
    ['wide', wide],
    ['deep', deep],
    ['rows', rows],
    ['map', map],
    ['text', 'x'.repeat(100_000)],
    ['set', new Set(rows)],
    ['buffer', Buffer.alloc(64 * 1024)],
  ];
  for (let i = 0; i < 30; i++) scope.push([`extra${i}`, i]);
  return scope;
}

/** A line-probe event whose snapshot serialises to about 5 MB. */
function fiveMegabyteEvent(): ProbeEvent {
  const rows = Array.from({ length: 2400 }, (_, i) => ({ id: i, name: `row ${i}`, notes: 'n'.repeat(2000), tags: ['a', { deep: { i } }] }));
  const limits = { maxReferenceDepth: 4, maxCollectionSize: 3000, maxFieldCount: 20, maxLength: 10_000 };
  const locals = captureVariables([['rows', rows]], new CaptureContext({ limits, redaction, deadline: performance.now() + BUDGET_MS }));
  return {
    ddsource: 'dd_debugger',
    service: 'bench',
    hostname: 'localhost',
    message: 'hit',
    timestamp: Date.now(),
    logger: { name: 'a.ts', method: 'f', version: 2, thread_id: 'pid:1', thread_name: 'MainThread' },
    debugger: {
      snapshot: {
        id: '00000000-0000-4000-8000-000000000000',
        timestamp: Date.now(),
        language: 'javascript',
        probe: { id: 'p', version: 0, location: { file: 'a.ts', lines: ['1'] } },
        captures: { lines: { '1': { locals } } },
      },
    },
  };
}

async function main(): Promise<void> {
  measureCapture('small', [['id', 42], ['name', 'Ada Lovelace'], ['user', { id: 42, email: 'ada@example.com', roles: ['admin', 'dev'] }], ['active', true]], 5000);
  const { req, res, close } = await realRequest();
  measureCapture('typical', [['req', req], ['userId', '42'], ['started', Date.now()]], 1000);
  measureCapture('typical req+res', [['req', req], ['res', res], ['userId', '42']], 1000);
  await close();
  measureCapture('large', largeScope(), 300);
  const event = fiveMegabyteEvent();
  measure('prune 5MB event', 10, () => void pruneEvent(event));
}

await main();
