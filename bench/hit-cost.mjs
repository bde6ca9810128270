// Per-hit cost of line probes, in-process: the same function called in a tight loop with no
// probe, then with each kind of probe, rounds alternating. Prints one JSON object per scenario.
import { createRequire } from 'node:module';
import { start } from '@periscope/agent';

const require = createRequire(import.meta.url);
const { handle } = require('./target.cjs');
const sink = { events: 0, emitEvent() { this.events++; }, emitStatus() {}, flush: async () => {}, close: async () => {} };
const agent = start({ service: 'bench', sink, globalSnapshotsPerSecond: 1e9, remoteConfigEnabled: false });

const where = { sourceFile: 'bench/target.cjs', lines: ['6'] };
const eq = (a, b) => ({ eq: [a, b] });
const scenarios = {
  'no probe': null,
  'probe installed, condition false': { when: { dsl: 'order.price == -1', json: eq({ getmember: [{ ref: 'order' }, 'price'] }, -1) }, captureSnapshot: true },
  'probe sampled out (1 snapshot/s)': { captureSnapshot: true },
  'snapshot on every hit': { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } },
  'log template on every hit': {
    template: 'total {total} for {order.price}',
    segments: [{ str: 'total ' }, { dsl: 'total', json: { ref: 'total' } }, { str: ' for ' }, { dsl: 'order.price', json: { getmember: [{ ref: 'order' }, 'price'] } }],
    sampling: { snapshotsPerSecond: 1e9 },
  },
};
const ITER = Number(process.env.BENCH_ITER ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const order = { id: 7, price: 12.5, customer: { name: 'Ada', tier: 'gold' }, items: [1, 2, 3] };
const samples = Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
let version = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, extra] of Object.entries(scenarios)) {
    if (extra) {
      const info = agent.addProbe({ id: 'bench', version: version++, type: 'LOG_PROBE', where, template: 'hit', ...extra });
      if (info?.state.state !== 'installed') throw new Error(`${name}: ${JSON.stringify(info?.state)}`);
    }
    for (let i = 0; i < 200; i++) handle(order, i);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ITER; i++) handle(order, i);
    const ns = Number(process.hrtime.bigint() - t0) / ITER;
    samples[name].push(ns);
    agent.removeProbe('bench');
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples['no probe']);
for (const [name, xs] of Object.entries(samples)) {
  console.log(JSON.stringify({ bench: 'hit-cost', name, unit: 'ns/call', median: Math.round(median(xs)), ratio: +(median(xs) / base).toFixed(1) }));
}
await agent.stop();
