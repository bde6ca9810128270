// Turns the runs of runComparison into medians and ratios (markdown), and writes them into the
// marked section of BENCHMARKS.md, leaving the rest of the file as it is.
import { readFileSync, writeFileSync } from 'node:fs';
import { HIT_SCENARIOS, HTTP_SCENARIOS } from './workloads.mjs';

export const SECTION_START = '<!-- bench:compare:start -->';
export const SECTION_END = '<!-- bench:compare:end -->';

function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median over rounds of `value(run) / value(baseline run of the same round)`. */
function medianRatio(runs, baselineRuns, value) {
  return median(runs.map((run, i) => value(run) / value(baselineRuns[i])));
}

function ns(x) {
  if (!Number.isFinite(x)) return '–';
  if (x < 1e3) return `${x.toFixed(x < 10 ? 1 : 0)} ns`;
  if (x < 1e6) return `${(x / 1e3).toFixed(1)} µs`;
  return `${(x / 1e6).toFixed(2)} ms`;
}

function ratio(r) {
  if (!Number.isFinite(r)) return '–';
  if (r >= 100) return `×${Math.round(r).toLocaleString('en-US')}`;
  if (r >= 10) return `×${r.toFixed(1)}`;
  return `×${r.toFixed(2)}`;
}

function num(x, digits = 0) {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
}

function signed(x, digits, unit) {
  if (!Number.isFinite(x)) return '–';
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)} ${unit}`;
}

function machineLines(r) {
  const m = r.machine;
  return [
    '## Periscope vs dd-trace dynamic instrumentation vs no agent',
    '',
    '`npm run bench:compare` rewrites this section: it builds, installs dd-trace 6 and Node 24 into ' +
      '`.cache/e2e` (`scripts/install-e2e-deps.sh`) and runs `node scripts/bench-compare.mjs` ' +
      '(`--rounds N`, `--only hit,http,startup,symbols`, `--no-write`, `--help`). The harness and the apps ' +
      'are in `bench/compare/`.',
    '',
    `Command: \`${r.command}\` — run ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${r.elapsedSeconds} s.`,
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}; every configuration on Node ${m.node}; ` +
      `dd-trace ${r.ddTraceVersion}; load average (1/5/15 min) ${m.loadAverage.join(' / ')} at the start, ` +
      `${(r.loadAverageAtEnd ?? []).join(' / ')} at the end (the machine is shared: other work ran meanwhile).`,
    `Method: each workload runs once per configuration per round, alternating (no agent, Periscope, dd-trace; ` +
      `the order rotates each round so that none always runs first), ` +
      `${r.settings.rounds} rounds; figures are medians over the rounds, and “×” is the median over rounds of ` +
      `(configuration ÷ no agent in the same round). Both agents poll the same local backend (the in-repo fake ` +
      `Datadog agent) every 0.2 s and get the same probe JSON as a LIVE_DEBUGGING Remote Config file; ` +
      `measuring starts once the probe is INSTALLED.`,
  ];
}

function hitTable(r, [none, peri, dd]) {
  const rows = [
    `**Per-hit cost** — time per call of \`priceOrder\` (bench/compare/apps/target.cjs, probe on the line marked \`PROBE LINE\`), ` +
      `measured inside the app: tight loops run ${r.settings.loopBudgetMs} ms after a ${r.settings.loopBudgetMs / 10} ms ` +
      `warm-up; the paced row calls once every 50 ms for ${r.settings.pacedBudgetMs} ms and takes the median call.`,
    '',
    `| Scenario | ${none.label} | ${peri.label} | ${peri.label} × | ${dd.label} | ${dd.label} × | ${dd.label} ÷ ${peri.label} | events / hits (Periscope; dd-trace) |`,
    '|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const scenario of HIT_SCENARIOS) {
    const runs = r.hit[scenario.key];
    const v = (run) => run.nsPerCall;
    const share = (list) => {
      if (!scenario.probe || scenario.probe === 'condition-false') return '–';
      const events = list.reduce((a, x) => a + x.events, 0);
      const hits = list.reduce((a, x) => a + x.hits, 0);
      return `${num(events)} / ${num(hits)}`;
    };
    rows.push(
      `| ${scenario.name} | ${ns(median(runs[none.key].map(v)))} ` +
        `| ${ns(median(runs[peri.key].map(v)))} | ${ratio(medianRatio(runs[peri.key], runs[none.key], v))} ` +
        `| ${ns(median(runs[dd.key].map(v)))} | ${ratio(medianRatio(runs[dd.key], runs[none.key], v))} ` +
        `| ${ratio(medianRatio(runs[dd.key], runs[peri.key], v))} | ${share(runs[peri.key])}; ${share(runs[dd.key])} |`,
    );
  }
  const references = Object.entries(r.hitBareBreakpoint ?? {})
    .filter(([, runs]) => runs.length > 0)
    .map(([key, bare]) => {
      const scenario = HIT_SCENARIOS.find((x) => x.key === key);
      const v = (run) => run.nsPerCall;
      const where = scenario.mode === 'paced' ? 'paced like the paced row' : 'in a tight loop';
      return `${ns(median(bare.map(v)))} per call ${where} (${ratio(medianRatio(bare, r.hit[key][none.key], v))})`;
    });
  if (references.length) {
    rows.push(
      '',
      `Reference, same rounds: a bare V8 breakpoint on that line whose condition is the literal \`false\`, set ` +
        `through \`node:inspector\` with no agent, costs ${references.join(' and ')} — the floor for any probe that ` +
        `does not pause (V8 evaluates a breakpoint condition like a debugger \`eval\` in the paused frame; ` +
        `spaced hits pay more for it than back-to-back ones).`,
    );
  }
  return rows;
}

function httpTable(r, [none, peri, dd]) {
  const rows = [
    `**HTTP service under load** — bench/compare/apps/http-service.cjs (\`node:http\`), autocannon with 10 connections ` +
      `for ${r.settings.httpSeconds} s from the harness process after a 1 s warm-up (latencies from autocannon's ` +
      `per-response times); the agent loaded with no probe, then with a snapshot probe at its default rate (1/s) ` +
      `on a line of the request handler (bench/compare/apps/handler.cjs).`,
    '',
    `| Figure | ${none.label} | ${peri.label} | × | ${dd.label} | × | ${dd.label} ÷ ${peri.label} |`,
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const scenario of HTTP_SCENARIOS) {
    const runs = r.http[scenario.key];
    const row = (label, value, format) => {
      const cell = (key) => format(median(runs[key].map(value)));
      return (
        `| ${label}, ${scenario.name} | ${cell(none.key)} | ${cell(peri.key)} | ${ratio(medianRatio(runs[peri.key], runs[none.key], value))} ` +
        `| ${cell(dd.key)} | ${ratio(medianRatio(runs[dd.key], runs[none.key], value))} | ${ratio(medianRatio(runs[dd.key], runs[peri.key], value))} |`
      );
    };
    rows.push(
      row('throughput (requests/s)', (x) => x.requestsPerSecond, (x) => num(x)),
      row('latency p50 (ms)', (x) => x.p50Ms, (x) => num(x, 2)),
      row('latency p99 (ms)', (x) => x.p99Ms, (x) => num(x, 2)),
      row('RSS after the load (MB)', (x) => x.rssMB, (x) => num(x, 1)),
    );
    if (scenario.probe) {
      const snapshots = (key) => runs[key].map((x) => x.events).join(', ');
      rows.push(`| snapshots received per run (1 s warm-up + ${r.settings.httpSeconds} s) | – | ${snapshots(peri.key)} | | ${snapshots(dd.key)} | | |`);
    }
  }
  return rows;
}

function startupTable(r, [none, peri, dd]) {
  const runs = r.startup;
  const row = (label, value, digits, unit) => {
    const base = median(runs[none.key].map(value));
    const cell = (key) => {
      const m = median(runs[key].map(value));
      return key === none.key ? num(m, digits) : `${num(m, digits)} (${signed(m - base, digits, unit)})`;
    };
    const perRound = (key) => ratio(median(runs[key].map((x, i) => value(x) / value(runs[none.key][i]))));
    return `| ${label} | ${cell(none.key)} | ${cell(peri.key)} | ${perRound(peri.key)} | ${cell(dd.key)} | ${perRound(dd.key)} |`;
  };
  return [
    `**Start-up and memory** — the same service with no probe: time from spawn to its first line of output ` +
      `(\`listening\`); RSS after the agent's first Remote Config poll, 200 requests and 0.3 s. ` +
      `${runs[none.key].length} runs per configuration (in parentheses: added to the median without agent).`,
    '',
    `| Figure | ${none.label} | ${peri.label} | × | ${dd.label} | × |`,
    '|---|--:|--:|--:|--:|--:|',
    row('start-up to first line (ms)', (x) => x.startupMs, 0, 'ms'),
    row('RSS after warm-up (MB)', (x) => x.rssMB, 1, 'MB'),
  ];
}

function symbolsTable(figures) {
  const get = (name) => figures[name];
  const parse = Object.entries(figures).find(([n]) => n.startsWith('symdb parse only'));
  const rows = [
    '**Symbol Database (Periscope only; dd-trace for Node has none)** — ' +
      '`packages/agent/dist/test/bench/symbols.bench.js` on Node 24: the JavaScript of the repository’s ' +
      '`node_modules` as the code base, extracted in a worker thread, gzipped and uploaded to a local receiver; ' +
      'stalls are measured in the application’s thread during the whole extraction.',
    '',
    '| Figure | Value | × baseline |',
    '|---|--:|--:|',
  ];
  const row = (label, name, baselineValue) => {
    const f = get(name);
    if (!f) return;
    rows.push(`| ${label} | ${num(f.value, f.unit === 'count' ? 0 : 2)} ${f.unit === 'count' ? '' : f.unit} | ${baselineValue ? ratio(f.value / baselineValue) : ''} |`);
  };
  const idle = get('baseline idle event-loop delay max')?.value;
  row('corpus', 'symdb corpus (node_modules JavaScript)');
  row('corpus files', 'symdb corpus files');
  row('end-to-end throughput (worker, gzip, upload)', 'symdb end-to-end throughput (worker, gzip, upload)', parse?.[1].value);
  row('in-thread extraction throughput', 'symdb extract in-thread throughput', parse?.[1].value);
  if (parse) rows.push(`| ${parse[0].replace('symdb ', '')} (the baseline of the two rows above) | ${num(parse[1].value, 2)} ${parse[1].unit} | |`);
  row('worst event-loop stall of the app during extraction', 'symdb app event-loop delay max during extraction', idle);
  row('event-loop delay p99 during extraction', 'symdb app event-loop delay p99 during extraction', idle);
  row('worst lateness of a 5 ms timer during extraction', 'symdb app 5 ms timer worst lateness during extraction', idle);
  row('idle event-loop delay max, same process before (the baseline of the three rows above)', 'baseline idle event-loop delay max');
  row('gzipped upload', 'symdb end-to-end gzipped payload');
  return rows;
}

const NOTES = [
  '**Notes.**',
  '- Both agents decide in a V8 breakpoint *condition* (no pause) whether a hit is sampled and whether the probe ' +
    'condition holds; so the “condition false” and “sampled out” rows measure mostly V8’s conditional-breakpoint ' +
    'machinery (the function also runs unoptimised once it has a breakpoint), paid alike by both. A sampled hit ' +
    'differs: Periscope captures in the condition itself, without pausing; dd-trace’s condition returns true, V8 ' +
    'pauses the application thread and dd-trace’s worker thread reads the frame over the inspector protocol ' +
    '(scopes, properties of each object, template evaluation) before it resumes.',
  '- Global snapshot caps: dd-trace’s is 25 snapshots/s and cannot be changed (a constant); Periscope’s defaults ' +
    'to 25/s and was raised with `PERISCOPE_GLOBAL_SNAPSHOTS_PER_SECOND` only in the tight-loop snapshot row. ' +
    'In that row dd-trace captures at most 25 snapshots/s, so its time per call is mostly the sampled-out cost; ' +
    'the paced row (20 hits/s, under both caps, every hit captured) is the like-for-like cost of a snapshot. ' +
    'Dynamic logs are not under either global cap.',
  '- Periscope’s CPU circuit breaker (a location costing more than 20% of a core over 10 s loses its probes, ' +
    'with an ERROR status) is off in these runs (`PERISCOPE_PROBE_CPU_BUDGET_PERCENT=0`): dd-trace has none, and ' +
    'the tight loops would trip it. In the HTTP rows it would not trip either way: the location is disarmed ' +
    'between samples.',
  '- dd-trace runs as `node -r dd-trace/init` with `DD_DYNAMIC_INSTRUMENTATION_ENABLED=true`. ' +
    '`DD_TRACE_ENABLED=false` cannot be used (it loads a no-op tracer that never starts Remote Config nor DI), so the ' +
    'tracer runs with its HTTP/net/dns/fetch integrations off (`DD_TRACE_DISABLED_INSTRUMENTATIONS`) and telemetry, ' +
    'crash tracking and the startup log off: no request makes a span. Periscope runs as ' +
    '`node --import @periscope/agent/register` with its defaults.',
  '- “events / hits” counts what reached the backend. The tight loop yields to the event loop after each batch ' +
    '(batches grow until one takes ≥ 1 ms), inside the timed span: Periscope serialises its events on the next ' +
    'turn of the application thread, and that work is in its figures. Its queue between hit and serialisation ' +
    'holds 1024 events (bounded memory); events beyond it, and beyond the transport’s own bounded queue while ' +
    'an upload is in flight, are dropped and counted. dd-trace uploads from its worker thread.',
    '- Timing figures are from a shared 2-core VM and vary by tens of percent from run to run; compare ratios ' +
    'within one run, not across runs.',
];

/** The whole comparison as markdown (what goes into BENCHMARKS.md and to stdout). */
export function formatMarkdown(r) {
  const setups = r.setups;
  const out = [...machineLines(r), ''];
  if (r.hit) out.push(...hitTable(r, setups), '');
  if (r.http) out.push(...httpTable(r, setups), '');
  if (r.startup) out.push(...startupTable(r, setups), '');
  if (r.symbols) out.push(...symbolsTable(r.symbols), '');
  out.push(...NOTES);
  return out.join('\n');
}

/**
 * Replaces the text between the bench:compare markers of `file` with `markdown` (appends the
 * markers when the file has none); the rest of the file is kept byte for byte.
 */
export function writeBenchmarksSection(file, markdown) {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(SECTION_START);
  const end = text.indexOf(SECTION_END);
  const body = `${SECTION_START}\n${markdown.trimEnd()}\n${SECTION_END}`;
  const next =
    start !== -1 && end > start
      ? text.slice(0, start) + body + text.slice(end + SECTION_END.length)
      : `${text.trimEnd()}\n\n${body}\n`;
  writeFileSync(file, next);
}
