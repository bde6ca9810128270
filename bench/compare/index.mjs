/**
 * Periscope vs dd-trace dynamic instrumentation vs no agent, side by side in one run, on Node 24.
 * Every workload runs once per configuration per round, alternating (none, Periscope, dd-trace,
 * none, …), so that a noisy neighbour hurts all three alike; report.mjs turns the runs into medians
 * and ratios to the no-agent run of the same round.
 *
 *   const results = await runComparison({ repoRoot, rounds: 3, log: console.error });
 *   console.log(formatMarkdown(results));
 */
import { locateRuntimes, agentSetups } from './agents.mjs';
import { startBackend } from './backend.mjs';
import { describeMachine, loadAverage } from './machine.mjs';
import { killAll } from './processes.mjs';
import { HIT_SCENARIOS, HTTP_SCENARIOS, runHitScenario, runHttp, runStartup, runSymbols } from './workloads.mjs';

export { formatMarkdown, writeBenchmarksSection } from './report.mjs';
export { HIT_SCENARIOS, HTTP_SCENARIOS };

export const WORKLOADS = ['hit', 'http', 'startup', 'symbols'];

/**
 * @param {{
 *   repoRoot: string,
 *   rounds?: number,          // rounds of every workload (default 3)
 *   startupRepeats?: number,  // start-up runs per configuration per round (default 2)
 *   loopBudgetMs?: number,    // time budget of a tight-loop run (default 1000)
 *   pacedBudgetMs?: number,   // time budget of a paced run, 20 hits/s (default 2000)
 *   httpSeconds?: number,     // autocannon duration per HTTP run (default 5)
 *   only?: string[],          // a subset of WORKLOADS
 *   command?: string,         // how the run was started, for the report
 *   log?: (line: string) => void,
 * }} options
 */
export async function runComparison(options) {
  const { repoRoot, rounds = 3, startupRepeats = 2, loopBudgetMs = 1000, pacedBudgetMs = 2000, httpSeconds = 5 } = options;
  const only = new Set(options.only ?? WORKLOADS);
  for (const w of only) if (!WORKLOADS.includes(w)) throw new Error(`unknown workload ${w} (known: ${WORKLOADS.join(', ')})`);
  const log = options.log ?? (() => {});
  const runtimes = locateRuntimes(repoRoot);
  const startedAt = new Date();
  const t0 = performance.now();
  const machine = describeMachine(runtimes.node);
  log(`machine: ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, load average ${machine.loadAverage.join(' ')}`);

  const backend = await startBackend(repoRoot);
  const setups = agentSetups(runtimes, backend.url);
  const ctx = { repoRoot, node: runtimes.node, backend, loopBudgetMs, pacedBudgetMs, httpSeconds };
  const results = {
    command: options.command ?? 'npm run bench:compare',
    startedAt: startedAt.toISOString(),
    machine,
    ddTraceVersion: runtimes.ddTraceVersion,
    setups: setups.map(({ key, label }) => ({ key, label })),
    settings: { rounds, startupRepeats, loopBudgetMs, pacedBudgetMs, httpSeconds },
    hit: only.has('hit') ? Object.fromEntries(HIT_SCENARIOS.map((s) => [s.key, perSetup(setups)])) : undefined,
    hitBareBreakpoint: Object.fromEntries(HIT_SCENARIOS.filter((s) => s.bareReference).map((s) => [s.key, []])),
    http: only.has('http') ? Object.fromEntries(HTTP_SCENARIOS.map((s) => [s.key, perSetup(setups)])) : undefined,
    startup: only.has('startup') ? perSetup(setups) : undefined,
    symbols: undefined,
  };
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
  try {
    for (let round = 0; round < rounds; round++) {
      const tag = () => `[round ${round + 1}/${rounds}, ${elapsed()}]`;
      // The order rotates each round (ABC, BCA, CAB, …) so that no configuration always runs first.
      const order = setups.map((_, i) => setups[(i + round) % setups.length]);
      if (only.has('hit')) {
        for (const scenario of HIT_SCENARIOS) {
          for (const setup of order) {
            const run = await runHitScenario(ctx, setup, scenario);
            results.hit[scenario.key][setup.key].push(run);
            const events = setup.usesProbes && scenario.probe ? `, ${run.events} events / ${run.hits} hits` : '';
            log(`${tag()} per hit, ${scenario.name}, ${setup.label}: ${Math.round(run.nsPerCall)} ns/call${events}`);
          }
          if (scenario.bareReference) {
            const none = setups.find((s) => s.key === 'none');
            const run = await runHitScenario(ctx, none, scenario, { bareCondition: 'false' });
            results.hitBareBreakpoint[scenario.key].push(run);
            log(`${tag()} per hit, ${scenario.mode}, reference: bare V8 breakpoint with condition false, no agent: ${Math.round(run.nsPerCall)} ns/call`);
          }
        }
      }
      if (only.has('http')) {
        for (const scenario of HTTP_SCENARIOS) {
          for (const setup of order) {
            const run = await runHttp(ctx, setup, scenario);
            results.http[scenario.key][setup.key].push(run);
            log(
              `${tag()} HTTP, ${scenario.name}, ${setup.label}: ${Math.round(run.requestsPerSecond)} req/s, ` +
                `p99 ${run.p99Ms.toFixed(2)} ms, RSS ${run.rssMB.toFixed(1)} MB, ${run.events} snapshots`,
            );
          }
        }
      }
      if (only.has('startup')) {
        for (let repeat = 0; repeat < startupRepeats; repeat++) {
          for (const setup of order) {
            const run = await runStartup(ctx, setup);
            results.startup[setup.key].push(run);
            log(`${tag()} start-up, ${setup.label}: ${run.startupMs.toFixed(0)} ms to listening, RSS ${run.rssMB.toFixed(1)} MB`);
          }
        }
      }
    }
    if (only.has('symbols')) {
      log(`[${elapsed()}] Symbol Database benchmark (Periscope only)`);
      results.symbols = await runSymbols(ctx);
    }
  } finally {
    killAll();
    await backend.close();
  }
  results.loadAverageAtEnd = loadAverage();
  results.elapsedSeconds = Math.round((performance.now() - t0) / 1000);
  log(`done in ${elapsed()}`);
  return results;
}

function perSetup(setups) {
  return Object.fromEntries(setups.map((s) => [s.key, []]));
}
