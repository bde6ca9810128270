// The workloads, each run once per configuration and round. A run returns raw figures; the ratios
// to the no-agent run of the same round are computed in report.mjs.
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { App } from './processes.mjs';
import { EVERY_HIT, lineProbe, probeLine } from './probes.mjs';

const READY_TIMEOUT_MS = 30_000;
const INSTALL_TIMEOUT_MS = 30_000;

/**
 * The per-hit scenarios, in the order they run. `bareReference`: also run, without agent, a plain
 * V8 breakpoint whose condition is `false` on the same line, in the same mode (the floor).
 */
export const HIT_SCENARIOS = [
  { key: 'no-probe', name: 'agent loaded, no probe', mode: 'loop' },
  { key: 'condition-false', name: 'snapshot probe, condition false', mode: 'loop', probe: 'condition-false', bareReference: true },
  { key: 'sampled-out', name: 'snapshot probe sampled out (default 1/s)', mode: 'loop', probe: 'snapshot' },
  {
    key: 'snapshot-paced',
    name: 'snapshot on every hit, 20 hits/s (under both global caps)',
    mode: 'paced',
    probe: 'snapshot',
    rate: EVERY_HIT,
    bareReference: true,
  },
  {
    key: 'snapshot-loop',
    name: 'snapshot on every hit, tight loop (dd-trace: global cap 25/s)',
    mode: 'loop',
    probe: 'snapshot',
    rate: EVERY_HIT,
    globalSnapshotsPerSecond: EVERY_HIT,
  },
  { key: 'log-loop', name: 'log template on every hit, tight loop', mode: 'loop', probe: 'log', rate: EVERY_HIT },
];

/**
 * @typedef {{ repoRoot: string, node: string, backend: import('./backend.mjs').Backend,
 *             loopBudgetMs: number, pacedBudgetMs: number, httpSeconds: number }} Context
 */

function spawnApp(ctx, setup, script, extraEnv = {}, agentExtra = {}) {
  return new App(ctx.node, [...setup.args, script], {
    cwd: ctx.repoRoot,
    env: { ...setup.env(agentExtra), ...extraEnv },
  });
}

/** Sets the probes the backend serves and waits until the agent has them (or has polled, when none). */
async function armProbes(ctx, setup, app, probe) {
  if (!setup.usesProbes) return;
  if (probe) {
    await ctx.backend.waitInstalled(probe.id, INSTALL_TIMEOUT_MS, app);
  } else {
    await ctx.backend.waitForFirstRcPoll(INSTALL_TIMEOUT_MS, app);
    await sleep(500); // the agent has started its background work (dd-trace: the DI worker)
  }
}

/**
 * One per-hit run: `{ nsPerCall, calls, hits, events }`. `bareCondition` (no agent only): a plain V8
 * breakpoint with this condition on the probe line instead of a probe, as a reference.
 */
export async function runHitScenario(ctx, setup, scenario, { bareCondition } = {}) {
  const apps = path.join(ctx.repoRoot, 'bench/compare/apps');
  const target = path.join(apps, 'target.cjs');
  const probe =
    setup.usesProbes && scenario.probe
      ? lineProbe('bench/compare/apps/target.cjs', probeLine(target), scenario.probe, { snapshotsPerSecond: scenario.rate })
      : undefined;
  ctx.backend.setProbes(probe ? [probe] : []);
  const app = spawnApp(
    ctx,
    setup,
    path.join(apps, 'hot-loop.cjs'),
    {
      BENCH_MODE: scenario.mode,
      BENCH_BUDGET_MS: String(scenario.mode === 'paced' ? ctx.pacedBudgetMs : ctx.loopBudgetMs),
      BENCH_PACE_MS: '50',
      ...(bareCondition ? { BENCH_BARE_CONDITION: bareCondition } : {}),
    },
    { globalSnapshotsPerSecond: scenario.globalSnapshotsPerSecond },
  );
  try {
    await app.waitForJson('ready', READY_TIMEOUT_MS, 'the ready line');
    await armProbes(ctx, setup, app, probe);
    app.send('go');
    const { value } = await app.waitForJson('result', 120_000, 'the result line');
    // Snapshots and logs are uploaded about once a second: wait for the count to settle.
    const events = probe && scenario.probe !== 'condition-false' ? await ctx.backend.settleEvents(probe.id, 1300, 5000) : 0;
    return { nsPerCall: value.nsPerCall, calls: value.calls, hits: value.hits, events };
  } finally {
    await app.stop();
  }
}

function autocannon(repoRoot) {
  return createRequire(path.join(repoRoot, 'package.json'))('autocannon');
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/**
 * autocannon against `url`. Latencies are taken from its per-response event (milliseconds as a
 * float) rather than from its histogram, which keeps whole milliseconds only.
 */
async function load(repoRoot, url, seconds) {
  const times = [];
  const run = autocannon(repoRoot)({ url, connections: 10, duration: seconds });
  run.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  const result = await run;
  times.sort((a, b) => a - b);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: times.at(-1) ?? NaN,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function stats(port) {
  const res = await fetch(`http://127.0.0.1:${port}/stats`);
  return res.json();
}

/** The HTTP variants: the agent loaded with no probe, and with a snapshot probe in the handler. */
export const HTTP_SCENARIOS = [
  { key: 'no-probe', name: 'agent loaded, no probe' },
  { key: 'snapshot', name: 'snapshot probe (default 1/s) in the handler', probe: 'snapshot' },
];

/**
 * The HTTP service under load: autocannon with 10 connections, in this process (not the app's),
 * 1 s of warm-up then `ctx.httpSeconds` measured. `{ requestsPerSecond, p50Ms, p99Ms, maxMs, rssMB,
 * events }`.
 */
export async function runHttp(ctx, setup, scenario) {
  const apps = path.join(ctx.repoRoot, 'bench/compare/apps');
  const probe =
    setup.usesProbes && scenario.probe
      ? lineProbe('bench/compare/apps/handler.cjs', probeLine(path.join(apps, 'handler.cjs')), scenario.probe)
      : undefined;
  ctx.backend.setProbes(probe ? [probe] : []);
  const app = spawnApp(ctx, setup, path.join(apps, 'http-service.cjs'));
  try {
    const { value: port } = await app.waitForJson('listening', READY_TIMEOUT_MS, 'the listening line');
    await armProbes(ctx, setup, app, probe);
    const url = `http://127.0.0.1:${port}/order`;
    await load(ctx.repoRoot, url, 1); // warm-up, not counted
    const measured = await load(ctx.repoRoot, url, ctx.httpSeconds);
    const { rss } = await stats(port);
    const events = probe ? ctx.backend.eventsOf(probe.id).length : 0;
    if (measured.errors > 0) throw new Error(`${measured.errors} failed requests under ${setup.label}\n${app.output}`);
    return { ...measured, rssMB: rss / 2 ** 20, events };
  } finally {
    await app.stop();
  }
}

/**
 * Start-up and memory: time from spawn to the service's first line (`listening`), then, once the
 * agent has polled Remote Config (no probe), 200 requests and the RSS. `{ startupMs, rssMB }`.
 */
export async function runStartup(ctx, setup) {
  ctx.backend.setProbes([]);
  const app = spawnApp(ctx, setup, path.join(ctx.repoRoot, 'bench/compare/apps/http-service.cjs'));
  try {
    const { value: port, atMs } = await app.waitForJson('listening', READY_TIMEOUT_MS, 'the listening line');
    await armProbes(ctx, setup, app, undefined);
    for (let i = 0; i < 200; i++) await (await fetch(`http://127.0.0.1:${port}/order`)).arrayBuffer();
    await sleep(300);
    const { rss } = await stats(port);
    return { startupMs: atMs, rssMB: rss / 2 ** 20 };
  } finally {
    await app.stop();
  }
}

/**
 * Periscope's Symbol Database benchmark (packages/agent/dist/test/bench/symbols.bench.js) on the
 * repository's node_modules, on Node 24: its JSON lines, by name.
 */
export async function runSymbols(ctx) {
  const script = path.join(ctx.repoRoot, 'packages/agent/dist/test/bench/symbols.bench.js');
  const app = new App(ctx.node, [script], { cwd: ctx.repoRoot, env: { PATH: process.env.PATH ?? '' } });
  const code = await app.waitForExit(240_000);
  if (code !== 0) throw new Error(`${script} failed (exit ${code})\n${app.output}`);
  const figures = {};
  for (const line of app.lines) {
    if (!line.trim()) continue;
    const { name, unit, value } = JSON.parse(line);
    figures[name] = { unit, value };
  }
  return figures;
}
