// Symbol search latency on ~59k and ~235k symbols. Run: node packages/server/dist/test/bench/symbols.bench.js
// Prints one JSON line per measurement: {"name", "unit", "median"} (searches add "rows" and "partial").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../src/store/database.js';
import { SymbolStore } from '../../src/store/symbol-store.js';
import type { WireScope } from '../../src/symbols/scope-tree.js';

const WORDS = ['order', 'user', 'cart', 'payment', 'invoice', 'session', 'token', 'account', 'product', 'shipment', 'price', 'refund'];
const VERBS = ['get', 'set', 'load', 'save', 'compute', 'validate', 'render', 'handle', 'build', 'parse'];
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

function file(i: number): WireScope {
  const noun = WORDS[i % WORDS.length]!;
  const classes: WireScope[] = [];
  for (let c = 0; c < 3; c++) {
    const methods: WireScope[] = [];
    for (let m = 0; m < 5; m++) {
      const verb = VERBS[(i + c + m) % VERBS.length]!;
      const start = 10 + c * 100 + m * 15;
      methods.push({
        scope_type: 'METHOD',
        name: `${verb}${cap(noun)}${i}_${m}`,
        start_line: start,
        end_line: start + 12,
        symbols: [
          { symbol_type: 'ARG', name: `${noun}Id`, line: 0, type: 'string' },
          { symbol_type: 'ARG', name: 'options', line: 0, type: null },
          { symbol_type: 'LOCAL', name: `${verb}Result`, line: start + 2, type: null },
        ],
        injectible_lines: [{ start: start + 1, end: start + 11 }],
      });
    }
    classes.push({ scope_type: 'CLASS', name: `${cap(noun)}${cap(VERBS[c]!)}Service${i}`, start_line: c * 100, end_line: c * 100 + 99, scopes: methods });
  }
  return { scope_type: 'MODULE', source_file: `src/${noun}/${noun}-${i}.ts`, start_line: 0, end_line: 2147483647, language_specifics: { file_hash: `h${i}` }, scopes: classes };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const queries: Array<[string, string]> = [
  ['prefix_short', 'ge'],
  ['prefix', 'getOrd'],
  ['prefix_exact_case', 'PaymentSet'],
  ['substring', 'Result'],
  ['fuzzy_subsequence', 'gtUsr'],
  ['fuzzy_no_match', 'zqxj'],
  ['parameter', 'orderId'],
];

/** Loads `files` generated files (≈64 rows each) into a fresh database and times the queries. */
function measure(label: string, files: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'periscope-bench-'));
  const db = openDatabase(dir);
  const store = new SymbolStore(db);
  const t0 = performance.now();
  for (let i = 0; i < files; i += 40) {
    store.upload({ service: 'bench', version: '1', language: 'javascript' }, Array.from({ length: Math.min(40, files - i) }, (_, k) => file(i + k)));
  }
  const insertMs = performance.now() - t0;
  const rows = (db.prepare('SELECT COUNT(*) AS n FROM symbols').get() as { n: number }).n;
  console.log(JSON.stringify({ name: `symbols${label}.insert`, unit: 'ms', median: Math.round(insertMs), rows }));
  console.log(JSON.stringify({ name: `symbols${label}.insert_per_1k_rows`, unit: 'ms', median: +(insertMs / (rows / 1000)).toFixed(2), rows }));
  for (const [name, q] of queries) {
    const times: number[] = [];
    let partial = false;
    for (let i = 0; i < 30; i++) {
      const start = performance.now();
      partial = store.searchDetailed({ query: q, service: 'bench', limit: 20 }).partial || partial;
      times.push(performance.now() - start);
    }
    console.log(JSON.stringify({ name: `symbols${label}.search.${name}`, unit: 'ms', median: +median(times).toFixed(3), rows, partial }));
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

// 920 files × (1 file + 3 classes + 15 methods × 4 rows) ≈ 59k rows: a large service.
measure('', 920);
// Four times that, past the fuzzy stage's 200k-row budget: a keystroke query must stay bounded.
measure('.large', 3680);
