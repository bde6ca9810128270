'use strict';
// Calls priceOrder (target.cjs) in a loop and prints the cost per call, measured in this process.
// Protocol with the harness: prints {"ready":true}, waits for the line "go" on stdin, runs, prints
// {"result":{...}}, then idles until killed (so the agent can still upload what it captured).
//
//   BENCH_MODE=loop   calls back to back for BENCH_BUDGET_MS, in batches that double until one
//                     batch takes ≥ 1 ms (so reading the clock costs nothing per call), yielding to
//                     the event loop after each batch inside the timed span: work an agent defers to
//                     the next turn (Periscope serialises its events there) is paid in the figure;
//   BENCH_MODE=paced  one call every BENCH_PACE_MS for BENCH_BUDGET_MS, each call timed on its own
//                     (stays under both agents' global snapshot cap of 25/s: every hit can be captured).
const readline = require('node:readline');
const { priceOrder } = require('./target.cjs');

const mode = process.env.BENCH_MODE ?? 'loop';
const budgetNs = BigInt(Math.round(Number(process.env.BENCH_BUDGET_MS ?? 1000) * 1e6));
const paceMs = Number(process.env.BENCH_PACE_MS ?? 50);
const maxCalls = Number(process.env.BENCH_MAX_CALLS ?? 5e7);
const order = {
  id: 7,
  discount: 0.1,
  customer: { name: 'Ada', tier: 'gold' },
  items: [
    { sku: 'a-1', price: 12.5, qty: 2 },
    { sku: 'b-2', price: 3.25, qty: 4 },
    { sku: 'c-3', price: 7, qty: 1 },
  ],
};
let sink = 0;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

async function loop(budget = budgetNs) {
  let calls = 0;
  let batch = 1;
  const start = process.hrtime.bigint();
  let now = start;
  while (now - start < budget && calls < maxCalls) {
    const t0 = now;
    for (let i = 0; i < batch; i++) sink += priceOrder(order, calls + i);
    calls += batch;
    await nextTurn();
    now = process.hrtime.bigint();
    if (now - t0 < 1_000_000n && batch < 1 << 20) batch *= 2;
  }
  const ns = Number(now - start);
  return { mode, calls, elapsedMs: ns / 1e6, nsPerCall: ns / calls };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function paced() {
  return new Promise((resolve) => {
    const times = [];
    const start = process.hrtime.bigint();
    const tick = () => {
      const t0 = process.hrtime.bigint();
      sink += priceOrder(order, times.length);
      const t1 = process.hrtime.bigint();
      times.push(Number(t1 - t0));
      if (t1 - start < budgetNs && times.length < maxCalls) setTimeout(tick, paceMs);
      else resolve({ mode, calls: times.length, elapsedMs: Number(t1 - start) / 1e6, nsPerCall: median(times) });
    };
    tick();
  });
}

// BENCH_BARE_CONDITION: a reference without any agent, a plain V8 breakpoint with this condition on
// the probe line, set through node:inspector in this thread (what every hit of a non-pausing probe
// costs at the least).
if (process.env.BENCH_BARE_CONDITION) {
  const { Session } = require('node:inspector');
  const fs = require('node:fs');
  const targetPath = require.resolve('./target.cjs');
  const line = fs.readFileSync(targetPath, 'utf8').split('\n').findIndex((l) => l.trimEnd().endsWith('// PROBE LINE'));
  const session = new Session();
  session.connect();
  let scriptId;
  session.on('Debugger.scriptParsed', (m) => {
    if (m.params.url.endsWith('/target.cjs')) scriptId = m.params.scriptId;
  });
  session.post('Debugger.enable');
  session.post('Debugger.setBreakpoint', { location: { scriptId, lineNumber: line }, condition: process.env.BENCH_BARE_CONDITION }, (err) => {
    if (err) throw err;
  });
}

// Warm-up (the same for every agent): optimised code for the baseline, a hit runtime that has run.
for (let i = 0; i < 2000; i++) sink += priceOrder(order, i);

const input = readline.createInterface({ input: process.stdin });
input.on('line', async (line) => {
  if (line.trim() !== 'go') return;
  // A short warm-up with the probe in place (its breakpoint deoptimised the function).
  const warm = mode === 'loop' ? (await loop(budgetNs / 10n)).calls : 0;
  const result = mode === 'paced' ? await paced() : await loop();
  // hits: every call made with the probe in place, warm-up included (to compare with the events received).
  process.stdout.write(`${JSON.stringify({ result: { ...result, hits: warm + result.calls, sink: sink > 0 } })}\n`);
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
