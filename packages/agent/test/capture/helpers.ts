/** Shared helpers for the capture tests: contexts, JSON round trips and a structural validator. */
import assert from 'node:assert/strict';
import type { CaptureLimits, CapturedValue } from '@periscope/protocol';
import { DEFAULT_CAPTURE_LIMITS } from '@periscope/protocol';
import { CaptureContext, captureValue, NOT_CAPTURED, Redaction, type RedactionSettings } from '../../src/capture/index.js';

export const NO_REDACTION_SETTINGS: RedactionSettings = { redactedIdentifiers: [], redactionExcludedIdentifiers: [], redactedTypes: [] };

export interface CtxOptions {
  limits?: Partial<CaptureLimits>;
  redaction?: Partial<RedactionSettings>;
  /** ms from now; default one minute, so that no test depends on speed. */
  budgetMs?: number;
  clock?: () => number;
}

export function makeContext(opts: CtxOptions = {}): CaptureContext {
  const start = opts.clock === undefined ? performance.now() : opts.clock();
  return new CaptureContext({
    limits: { ...DEFAULT_CAPTURE_LIMITS, ...opts.limits },
    redaction: new Redaction({ ...NO_REDACTION_SETTINGS, ...opts.redaction }),
    deadline: start + (opts.budgetMs ?? 60_000),
    ...(opts.clock === undefined ? {} : { clock: opts.clock }),
  });
}

/** What goes on the wire: the captured value after a JSON round trip. */
export function wire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function capture(value: unknown, opts: CtxOptions = {}, name?: string): CapturedValue {
  return wire(captureValue(value, name, makeContext(opts)));
}

const REASONS = new Set<string>(Object.values(NOT_CAPTURED));

/**
 * Checks one captured tree against the encoding rules and the limits: every node typed, value
 * strings within maxLength, no expansion deeper than maxReferenceDepth, cuts marked with an
 * integer size, reasons from the known set. `level` is the node's depth level (a local is 1).
 */
export function assertValidTree(node: CapturedValue, limits: CaptureLimits, level = 1, where = '$'): void {
  assert.equal(typeof node, 'object', `${where}: node is an object`);
  assert.equal(typeof node.type, 'string', `${where}: has a type`);
  if (node.value !== undefined) {
    assert.equal(typeof node.value, 'string', `${where}: value is a string`);
    if (node.type === 'string' || node.type === 'symbol') assert.ok(node.value.length <= limits.maxLength, `${where}: maxLength`);
  }
  if (node.size !== undefined) assert.ok(Number.isInteger(node.size) && node.size >= 0, `${where}: integer size`);
  if (node.truncated !== undefined) assert.equal(node.truncated, true);
  if (node.notCapturedReason !== undefined) assert.ok(REASONS.has(node.notCapturedReason), `${where}: known reason ${node.notCapturedReason}`);
  const expanded = node.fields !== undefined || node.elements !== undefined || node.entries !== undefined;
  if (expanded) assert.ok(level <= limits.maxReferenceDepth, `${where}: expanded at level ${level}`);
  if (node.fields !== undefined) {
    const names = Object.keys(node.fields);
    assert.ok(names.length <= limits.maxFieldCount, `${where}: maxFieldCount`);
    if (node.notCapturedReason === 'fieldCount') assert.ok(node.size! > limits.maxFieldCount);
    for (const name of names) {
      assert.ok(!name.includes('.'), `${where}: no dots in field names`);
      assertValidTree(node.fields[name]!, limits, level + 1, `${where}.${name}`);
    }
  }
  if (node.elements !== undefined) {
    assert.ok(node.elements.length <= limits.maxCollectionSize, `${where}: maxCollectionSize`);
    node.elements.forEach((el, i) => assertValidTree(el, limits, level + 1, `${where}[${i}]`));
  }
  if (node.entries !== undefined) {
    assert.ok(node.entries.length <= limits.maxCollectionSize, `${where}: maxCollectionSize`);
    node.entries.forEach(([k, v], i) => {
      assertValidTree(k, limits, level + 1, `${where}<k${i}>`);
      assertValidTree(v, limits, level + 1, `${where}<v${i}>`);
    });
  }
}
