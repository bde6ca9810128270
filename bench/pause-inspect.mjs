// The design Periscope avoids: pause at a breakpoint and read the frame's scopes over the
// inspector protocol, then resume. Same function and loop as hit-cost.mjs, no agent.
import { createRequire } from 'node:module';
import { Session } from 'node:inspector';
const require = createRequire(import.meta.url);
const { handle } = require('./target.cjs');
const s = new Session();
s.connect();
let url;
s.on('Debugger.scriptParsed', (m) => { if (m.params.url.endsWith('bench/target.cjs')) url = m.params.url; });
s.post('Debugger.enable');
s.on('Debugger.paused', (m) => {
  for (const scope of m.params.callFrames[0].scopeChain) {
    if (scope.type === 'global') continue;
    s.post('Runtime.getProperties', { objectId: scope.object.objectId, ownProperties: true }, () => {});
  }
  s.post('Debugger.resume');
});
s.post('Debugger.setBreakpointByUrl', { url, lineNumber: 5 });
const order = { id: 7, price: 12.5, customer: { name: 'Ada', tier: 'gold' }, items: [1, 2, 3] };
const ITER = Number(process.env.BENCH_ITER ?? 3000) / 3;
const xs = [];
for (let r = 0; r < Number(process.env.BENCH_ROUNDS ?? 5); r++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ITER; i++) handle(order, i);
  xs.push(Number(process.hrtime.bigint() - t0) / ITER);
}
xs.sort((a, b) => a - b);
console.log(JSON.stringify({ bench: 'hit-cost', name: 'pause and read scopes over the inspector (not Periscope)', unit: 'ns/call', median: Math.round(xs[Math.floor(xs.length / 2)]) }));
