#!/usr/bin/env node
// `npm run bench:compare`: Periscope vs dd-trace's dynamic instrumentation vs no agent, on Node 24
// (bench/compare/). Prints the results as markdown and writes them into BENCHMARKS.md between the
// bench:compare markers.
//
//   node scripts/bench-compare.mjs [--rounds 3] [--startup-repeats 2] [--loop-ms 1000] [--paced-ms 2000]
//                                  [--http-seconds 5] [--only hit,http,startup,symbols] [--no-write]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatMarkdown, runComparison, writeBenchmarksSection, WORKLOADS } from '../bench/compare/index.mjs';

const repoRoot = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

function positive(name, raw) {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

async function main() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      'startup-repeats': { type: 'string', default: '2' },
      'loop-ms': { type: 'string', default: '1000' },
      'paced-ms': { type: 'string', default: '2000' },
      'http-seconds': { type: 'string', default: '5' },
      only: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: node scripts/bench-compare.mjs [--rounds N] [--startup-repeats N] [--loop-ms N] [--paced-ms N]\n' +
        `                                      [--http-seconds N] [--only ${WORKLOADS.join(',')}] [--no-write]\n`,
    );
    return;
  }
  const args = process.argv.slice(2);
  const results = await runComparison({
    repoRoot,
    rounds: Math.round(positive('rounds', values.rounds)),
    startupRepeats: Math.round(positive('startup-repeats', values['startup-repeats'])),
    loopBudgetMs: positive('loop-ms', values['loop-ms']),
    pacedBudgetMs: positive('paced-ms', values['paced-ms']),
    httpSeconds: Math.round(positive('http-seconds', values['http-seconds'])),
    only: values.only?.split(',').map((s) => s.trim()).filter(Boolean),
    command: `npm run bench:compare${args.length ? ` -- ${args.join(' ')}` : ''}`,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const markdown = formatMarkdown(results);
  process.stdout.write(`${markdown}\n`);
  if (!values['no-write']) {
    const file = path.join(repoRoot, 'BENCHMARKS.md');
    writeBenchmarksSection(file, markdown);
    process.stderr.write(`results written to ${file} (bench:compare section)\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench:compare failed: ${err?.message ?? err}\n`);
  process.exitCode = 1;
});
