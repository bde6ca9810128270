// Probe JSON as the Datadog backend sends it over Remote Config; both agents get the same bytes.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

/** 1-based number of the line marked `PROBE LINE` in an app file. */
export function probeLine(file) {
  const index = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.trimEnd().endsWith('// PROBE LINE'));
  if (index === -1) throw new Error(`${file} has no line ending in // PROBE LINE`);
  return index + 1;
}

/** A rate high enough that every hit is sampled (per probe; global caps are separate). */
export const EVERY_HIT = 1_000_000;

/**
 * A line LOG_PROBE at `sourceFile:line` with a fresh id. `kind`:
 * - `condition-false`: snapshot probe whose condition (`order.id == -1`) never holds;
 * - `snapshot`: snapshot probe, `snapshotsPerSecond` when given, else the default (1/s);
 * - `log`: dynamic log with a template reading a local and a field, no snapshot.
 */
export function lineProbe(sourceFile, line, kind, { snapshotsPerSecond } = {}) {
  const probe = {
    id: randomUUID(),
    version: 0,
    type: 'LOG_PROBE',
    language: 'javascript',
    where: { sourceFile, lines: [String(line)] },
    tags: [],
    template: 'hit',
    segments: [{ str: 'hit' }],
    captureSnapshot: true,
    capture: { maxReferenceDepth: 3 },
    evaluateAt: 'EXIT',
  };
  if (kind === 'condition-false') {
    probe.when = { dsl: 'order.id == -1', json: { eq: [{ getmember: [{ ref: 'order' }, 'id'] }, -1] } };
  } else if (kind === 'log') {
    probe.captureSnapshot = false;
    probe.template = 'order {order.id} total {total}';
    probe.segments = [
      { str: 'order ' },
      { dsl: 'order.id', json: { getmember: [{ ref: 'order' }, 'id'] } },
      { str: ' total ' },
      { dsl: 'total', json: { ref: 'total' } },
    ];
    delete probe.capture;
  } else if (kind !== 'snapshot') {
    throw new Error(`unknown probe kind ${kind}`);
  }
  if (snapshotsPerSecond !== undefined) probe.sampling = { snapshotsPerSecond };
  return probe;
}
