// Micro-benchmark of the expression hot paths. Prints one JSON line per case:
// {"name", "unit":"ns", "median"} — the median of 15 rounds of per-call time.
// Run: node packages/agent/dist/test/bench/expression.bench.js
import { performance } from 'node:perf_hooks';
import { NOT_FOUND, compileCondition, compileTemplate, parseDsl, type EvaluationScope } from '../../src/expression/index.js';

const vars: Record<string, unknown> = {
  x: 1,
  user: { id: 42, name: 'bob', address: { city: 'Paris' } },
  items: [{ price: 5 }, { price: 15 }, { price: 25 }],
  path: '/api/v1/users/42',
  headers: new Map([['host', 'example.com']]),
};
const scope: EvaluationScope = { lookup: (n) => (Object.hasOwn(vars, n) ? vars[n] : NOT_FOUND) };

function bench(name: string, fn: () => unknown, iterations = 200_000): void {
  for (let i = 0; i < iterations; i++) fn(); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    rounds.push(((performance.now() - t0) * 1e6) / iterations);
  }
  rounds.sort((a, b) => a - b);
  console.log(JSON.stringify({ name, unit: 'ns', median: Math.round(rounds[7]! * 10) / 10 }));
}

const cond = (text: string) => compileCondition(parseDsl(text), text);
const eq = cond('x == 1');
bench('condition eq(ref x, 1)', () => eq.test(scope));
const member = cond('user.id == 42 && user.address.city == "Paris"');
bench('condition user.id == 42 && user.address.city == "Paris"', () => member.test(scope));
const anyPrice = cond('any(items, {@it.price > 20})');
bench('condition any(items, {@it.price > 20}) over 3 objects', () => anyPrice.test(scope));
const re = cond('matches(path, "^/api/v[0-9]+/users/")');
bench('condition matches(path, "^/api/v[0-9]+/users/")', () => re.test(scope));
const mapGet = cond('headers["host"] == "example.com" && len(items) > 2');
bench('condition headers["host"] == … && len(items) > 2', () => mapGet.test(scope));
const tpl = compileTemplate(
  [{ str: 'User ' }, { expr: { dsl: 'user.id', json: parseDsl('user.id') } }, { str: ' at ' }, { expr: { dsl: 'path', json: parseDsl('path') } }, { str: ' items ' }, { expr: { dsl: 'items', json: parseDsl('items') } }],
  '',
);
bench('template render (3 segments, one array)', () => tpl.render(scope), 50_000);
