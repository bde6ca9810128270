// Per-hit cost of line probes, in-process (run with --expose-gc): the same function called in a tight loop with no
// probe, then with each kind of probe, rounds alternating. Prints one JSON object per scenario.
import { createRequire } from 'node:module';
import { start } from '@periscope/agent';
import { v8Floor } from './v8-floor.mjs';

const require = createRequire(import.meta.url);
const { handle } = require('./target.cjs');
const sink = { events: 0, emitEvent() { this.events++; }, emitStatus() {}, flush: async () => {}, close: async () => {} };
// Limits raised and the CPU circuit breaker off: the loop is meant to hammer the probe.
const options = { service: 'bench', sink, globalSnapshotsPerSecond: 1e9, remoteConfigEnabled: false, probeCpuBudgetPercent: 0 };
let agent = start(options);

const where = { sourceFile: 'bench/target.cjs', lines: ['6'] };
const eq = (a, b) => ({ eq: [a, b] });
const scenarios = {
  'no probe': null,
  'probe installed, condition false': { when: { dsl: 'order.price == -1', json: eq({ getmember: [{ ref: 'order' }, 'price'] }, -1) }, captureSnapshot: true },
  // Right after a sample, in the same synchronous run: the breakpoint is still armed.
  'probe sampled out (1 snapshot/s), armed': { captureSnapshot: true, keepArmed: true },
  // Once the event loop turns, the location is disarmed until the next sample may be taken.
  'probe sampled out (1 snapshot/s), disarmed': { captureSnapshot: true },
  'snapshot on every hit': { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } },
  'log template on every hit': {
    template: 'total {total} for {order.price}',
    segments: [{ str: 'total ' }, { dsl: 'total', json: { ref: 'total' } }, { str: ' for ' }, { dsl: 'order.price', json: { getmember: [{ ref: 'order' }, 'price'] } }],
    sampling: { snapshotsPerSecond: 1e9 },
  },
};
// Each compiled condition leaves garbage that makes V8's per-hit cost climb until the next major
// GC (a sawtooth), so every sample starts right after a full GC and is short (below the agent's
// 1024-event outbox, so that no event is dropped and each one's serialisation is counted).
const ITER = Number(process.env.BENCH_ITER ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const floorBreakpoint = v8Floor();
scenarios['V8 floor: bare breakpoint, condition `false` (no agent code)'] = 'floor';
const order = { id: 7, price: 12.5, customer: { name: 'Ada', tier: 'gold' }, items: [1, 2, 3] };
const samplesInit = () => Object.fromEntries(Object.keys(scenarios).map((k) => [k, []]));
const samples = samplesInit();
const delivered = {};
let version = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, extra] of Object.entries(scenarios)) {
    if (extra === 'floor') {
      await agent.stop();
      floorBreakpoint.arm();
    } else if (extra) {
      const { keepArmed, ...fields } = extra;
      const info = agent.addProbe({ id: 'bench', version: version++, type: 'LOG_PROBE', where, template: 'hit', ...fields });
      if (info?.state.state !== 'installed') throw new Error(`${name}: ${JSON.stringify(info?.state)}`);
    }
    // Warm-up, in batches so that the outbox (1024 events per turn) drops nothing: the agent's
    // code is optimised by V8 before the sample, as in any steady state.
    for (let batch = 0; batch < (extra?.keepArmed ? 1 : 4); batch++) {
      for (let i = 0; i < 500; i++) handle(order, i);
      if (!extra?.keepArmed) await new Promise((resolve) => setImmediate(resolve)); // the warm-up's events leave first
    }
    // Every sample starts from the same heap state (see ITER above); needs --expose-gc.
    globalThis.gc?.();
    const eventsBefore = sink.events;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ITER; i++) handle(order, i);
    // Events are serialised after the hit, on the next turn: that work is counted too.
    await new Promise((resolve) => setImmediate(resolve));
    const ns = Number(process.hrtime.bigint() - t0) / ITER;
    delivered[name] = sink.events - eventsBefore;
    samples[name].push(ns);
    if (extra === 'floor') {
      floorBreakpoint.disarm();
      agent = start(options);
    }
    else agent.removeProbe('bench');
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples['no probe']);
const floor = median(samples['V8 floor: bare breakpoint, condition `false` (no agent code)']);
for (const [name, xs] of Object.entries(samples)) {
  console.log(JSON.stringify({ bench: 'hit-cost', name, unit: 'ns/call', median: Math.round(median(xs)), ratio: +(median(xs) / base).toFixed(1), toFloor: +(median(xs) / floor).toFixed(2), eventsPerSample: delivered[name] ?? 0 }));
}
await agent.stop();
