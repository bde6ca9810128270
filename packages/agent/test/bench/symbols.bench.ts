/**
 * Symbol Database benchmark on a large real code base: the JavaScript of the repository's
 * `node_modules` (the TypeScript compiler, fastify, pino, ajv, esbuild's JS API, …, ~17 MB).
 *
 * - `symdb parse only`: oxc-parser alone (JSON or raw AST transfer, whichever this Node supports).
 * - `symdb extract`: parse + scope walk + wire JSON, in this thread (FileExtractor).
 * - `symdb end-to-end`: the SymbolDatabase as an application runs it (worker thread, batching,
 *   gzip, multipart POST to a fake agent), with the worst event-loop stall of this (the
 *   application's) thread measured by `perf_hooks.monitorEventLoopDelay` during the whole run.
 *
 * Prints JSON lines `{name, unit, value}`. Run: node packages/agent/dist/test/bench/symbols.bench.js
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseSync, rawTransferSupported } from 'oxc-parser';
import type { CodeTracker, TrackedScript } from '../../src/code-tracking/types.js';
import { loadConfig } from '../../src/config/settings.js';
import { FileExtractor, SymbolDatabase } from '../../src/symbols/index.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const REPO = fileURLToPath(new URL('../../../../../', import.meta.url));
const NODE_MODULES = path.join(REPO, 'node_modules');
/** Big enough for the TypeScript compiler (9 MB); the product's default is 1 MiB (BENCH_SYMDB_MAX_FILE_BYTES=1048576 measures with it). */
const MAX_FILE_BYTES = Number(process.env.BENCH_SYMDB_MAX_FILE_BYTES ?? 16 * 1024 * 1024);

function emit(name: string, unit: string, value: number): void {
  process.stdout.write(`${JSON.stringify({ name, unit, value: Math.round(value * 100) / 100 })}\n`);
}

function corpus(): { files: string[]; bytes: number } {
  const files: string[] = [];
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.cache' && entry.name !== '@periscope') walk(p);
      } else if (/\.(c|m)?js$/.test(entry.name) && !entry.name.endsWith('.d.ts') && entry.name !== '_tsc.js') {
        files.push(p);
        bytes += statSync(p).size;
      }
    }
  };
  walk(NODE_MODULES);
  return { files, bytes };
}

function parseOnly(files: readonly string[], bytes: number): void {
  const raw = rawTransferSupported();
  const start = performance.now();
  for (const f of files) {
    const r = parseSync(f, readFileSync(f, 'utf8'), { lang: 'jsx', sourceType: 'unambiguous', preserveParens: false, ...(raw ? { experimentalRawTransfer: true } : {}) } as never);
    void r.program;
  }
  const s = (performance.now() - start) / 1000;
  emit(`symdb parse only (${raw ? 'raw transfer' : 'JSON transfer'}, node ${process.versions.node})`, 'MB/s', bytes / 1e6 / s);
}

function extractInThread(files: readonly string[], bytes: number): void {
  const ex = new FileExtractor({ appRoot: REPO, includes: [NODE_MODULES], maxFileBytes: MAX_FILE_BYTES, maxFiles: 100_000 });
  const start = performance.now();
  let jsonBytes = 0;
  for (const f of files) for (const r of ex.extract({ path: f, url: pathToFileURL(f).href, isModule: f.endsWith('.mjs') })) jsonBytes += JSON.stringify(r.scope).length;
  const s = (performance.now() - start) / 1000;
  emit('symdb extract in-thread throughput', 'MB/s', bytes / 1e6 / s);
  emit('symdb extract symbols JSON per source byte', 'ratio', jsonBytes / bytes);
  emit('symdb extract parse errors (files)', 'count', ex.counters.parseErrors);
}

async function endToEnd(files: readonly string[], bytes: number): Promise<void> {
  // A receiver that only drains bodies: parsing the uploads here would stall this very thread.
  let received = 0;
  const agent = http.createServer((req, res) => {
    req.on('data', (c: Buffer) => (received += c.length));
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
  const agentUrl = `http://127.0.0.1:${(agent.address() as AddressInfo).port}`;
  const scripts: TrackedScript[] = files.map((f, i) => ({
    scriptId: String(i + 1),
    url: pathToFileURL(f).href,
    path: f,
    hash: String(i),
    sourceMapURL: undefined,
    isModule: f.endsWith('.mjs'),
    startLine: 0,
    endLine: 0,
    length: 0,
    backfilled: true,
    kind: 'dependency',
  }));
  const tracker: CodeTracker = { scripts: () => scripts, onScript: () => () => {}, getScriptSource: () => undefined };
  const config = loadConfig(
    {
      service: 'symdb-bench',
      agentUrl,
      appRoot: REPO,
      symbolDatabaseForceUpload: true,
      symbolDatabaseIncludes: [NODE_MODULES],
      // BENCH_SYMDB_ISOLATION=thread measures the worker-thread variant (default: the product's).
      ...(process.env['BENCH_SYMDB_ISOLATION'] === 'thread' ? { symbolDatabaseIsolation: 'thread' as const } : {}),
    },
    {},
  );
  const db = new SymbolDatabase({ config, tracker, hostDedup: false, maxFileBytes: MAX_FILE_BYTES, maxFiles: 100_000 });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  // A ticking timer, like a busy server's: each tick's lateness is a stall the app would feel.
  let worstTickLateMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    worstTickLateMs = Math.max(worstTickLateMs, now - last - 5);
    last = now;
  }, 5);
  let worstGcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) worstGcMs = Math.max(worstGcMs, e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  delay.enable();
  const start = performance.now();
  db.start();
  const startSyncMs = performance.now() - start;
  await db.waitForUploads();
  const s = (performance.now() - start) / 1000;
  delay.disable();
  gc.disconnect();
  clearInterval(ticker);
  const stats = db.stats();
  db.stop();
  await new Promise((resolve) => agent.close(resolve));
  emit('symdb start() synchronous part (back-fill queueing)', 'ms', startSyncMs);
  emit('symdb end-to-end throughput (worker, gzip, upload)', 'MB/s', bytes / 1e6 / s);
  emit('symdb end-to-end uploads', 'count', stats.uploads);
  emit('symdb end-to-end gzipped payload', 'MB', stats.bytesUploaded / 1e6);
  emit('symdb end-to-end bytes received by the agent', 'MB', received / 1e6);
  emit('symdb app event-loop delay max during extraction', 'ms', delay.max / 1e6);
  emit('symdb app event-loop delay p99 during extraction', 'ms', delay.percentile(99) / 1e6);
  emit('symdb app 5 ms timer worst lateness during extraction', 'ms', worstTickLateMs);
  emit('symdb app longest GC pause during extraction', 'ms', worstGcMs);
}

/** The same ticker with nothing to do: on a shared machine the OS alone delays timers this much. */
async function idleBaseline(ms: number): Promise<void> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await new Promise((resolve) => setTimeout(resolve, ms));
  delay.disable();
  emit('baseline idle event-loop delay max', 'ms', delay.max / 1e6);
}

const { files, bytes } = corpus();
emit('symdb corpus (node_modules JavaScript)', 'MB', bytes / 1e6);
emit('symdb corpus files', 'count', files.length);
// The end-to-end run first, on a fresh heap like an application's; the in-thread runs after it
// leave hundreds of MB of garbage whose collection would be charged to the wrong phase.
await idleBaseline(2000);
await endToEnd(files, bytes);
parseOnly(files, bytes);
extractInThread(files, bytes);
