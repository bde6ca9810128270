// Per-hit cost when hits are spread out, as a default-rate probe sees them (one sampled hit a
// second or so): the same function as hit-cost.mjs called once every 50 ms. Spread-out hits run
// with cold caches, so everything (V8's part and ours) costs several times its tight-loop figure.
// Alternates, in one process, the V8 floor (bare breakpoint, condition `false`, agent stopped)
// and a Periscope snapshot probe sampled on every hit. Prints one JSON object per scenario.
import { createRequire } from 'node:module';
import { start } from '@periscope/agent';
import { v8Floor } from './v8-floor.mjs';

const require = createRequire(import.meta.url);
const { handle } = require('./target.cjs');
const sink = { events: 0, emitEvent() { this.events++; }, emitStatus() {}, flush: async () => {}, close: async () => {} };
const options = { service: 'bench', sink, globalSnapshotsPerSecond: 1e9, remoteConfigEnabled: false, probeCpuBudgetPercent: 0 };
const HITS = Number(process.env.BENCH_PACED_HITS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SPACING_MS = 50;
const order = { id: 7, price: 12.5, customer: { name: 'Ada', tier: 'gold' }, items: [1, 2, 3] };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const turn = () => new Promise((resolve) => setImmediate(resolve));

const floor = v8Floor();

/** Median hit time, and median time of the turn after it (where the event is serialised). */
async function measure() {
  const hit = [];
  const after = [];
  for (let i = 0; i < HITS; i++) {
    await sleep(SPACING_MS);
    const t0 = process.hrtime.bigint();
    handle(order, i);
    const t1 = process.hrtime.bigint();
    await turn();
    hit.push(Number(t1 - t0));
    after.push(Number(process.hrtime.bigint() - t1));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return { hit: median(hit), after: median(after) };
}

const samples = { floor: [], snapshot: [], 'no probe': [] };
for (let round = 0; round < ROUNDS; round++) {
  samples['no probe'].push(await measure());

  floor.arm();
  samples.floor.push(await measure());
  floor.disarm();

  const agent = start(options);
  const info = agent.addProbe({ id: 'paced', version: round, type: 'LOG_PROBE', where: { sourceFile: 'bench/target.cjs', lines: ['6'] }, template: 'hit', captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } });
  if (info?.state.state !== 'installed') throw new Error(JSON.stringify(info?.state));
  samples.snapshot.push(await measure());
  await agent.stop();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const names = {
  'no probe': 'no probe',
  floor: 'V8 floor: bare breakpoint, condition `false` (no agent code)',
  snapshot: 'snapshot on every hit',
};
for (const [key, xs] of Object.entries(samples)) {
  console.log(JSON.stringify({ bench: 'hit-paced', name: names[key], unit: 'ns/call', median: Math.round(median(xs.map((x) => x.hit))), after: Math.round(median(xs.map((x) => x.after))), events: sink.events }));
}
