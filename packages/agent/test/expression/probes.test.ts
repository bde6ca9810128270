// Every expression in the system-tests probe templates compiles; the invalid-operator one fails
// with a compile error naming the operator.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ExpressionCompileError, compileExpression, compileTemplate } from '../../src/expression/index.js';

const dir = new URL('../../../../../conformance/system-tests-probes/probes/', import.meta.url);

interface Found {
  file: string;
  path: string;
  json: unknown;
  dsl: string;
}

function expressionsOf(file: string, probe: Record<string, unknown>, i: number): Found[] {
  const out: Found[] = [];
  const add = (path: string, e: unknown): void => {
    if (typeof e === 'object' && e !== null && 'json' in e) {
      const x = e as { json: unknown; dsl?: unknown };
      out.push({ file, path, json: x.json, dsl: typeof x.dsl === 'string' ? x.dsl : '' });
    }
  };
  const segs = (path: string, v: unknown): void => {
    if (Array.isArray(v)) v.forEach((s, j) => add(`${path}[${j}]`, s));
  };
  add(`[${i}].when`, probe['when']);
  add(`[${i}].value`, probe['value']);
  segs(`[${i}].segments`, probe['segments']);
  const ces = probe['captureExpressions'];
  if (Array.isArray(ces)) ces.forEach((ce, j) => add(`[${i}].captureExpressions[${j}].expr`, (ce as Record<string, unknown>)['expr']));
  const decorations = probe['decorations'];
  if (Array.isArray(decorations)) {
    decorations.forEach((d: Record<string, unknown>, j) => {
      add(`[${i}].decorations[${j}].when`, d['when']);
      const tags = Array.isArray(d['tags']) ? d['tags'] : [];
      tags.forEach((t: Record<string, unknown>, k) => segs(`[${i}].decorations[${j}].tags[${k}].value.segments`, (t['value'] as Record<string, unknown> | undefined)?.['segments']));
    });
  }
  return out;
}

const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const all: Found[] = files.flatMap((file) => {
  const probes = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Array<Record<string, unknown>>;
  return probes.flatMap((p, i) => expressionsOf(file, p, i));
});

test('the probe templates hold expressions of every place', () => {
  assert.ok(files.length >= 20);
  assert.ok(all.length >= 15, `found ${all.length}`);
  for (const place of ['when', 'value', 'segments', 'captureExpressions', 'decorations']) {
    assert.ok(all.some((f) => f.path.includes(place)), place);
  }
});

for (const f of all) {
  test(`${f.file} ${f.path}`, () => {
    if (f.file === 'probe_invalid_condition_dsl.json' && f.path.endsWith('when')) {
      assert.throws(
        () => compileExpression(f.json, f.dsl, { path: 'when.json' }),
        (e: unknown) => e instanceof ExpressionCompileError && e.message === 'Cannot compile expression: unknown operator "notARealOperator" at when.json',
      );
      return;
    }
    const compiled = compileExpression(f.json, f.dsl);
    assert.equal(compiled.dsl, f.dsl);
  });
}

test('segments-only templates from the probes render verbatim', () => {
  const t = compileTemplate([{ str: 'regex evaluation timeout probe fired' }], '');
  assert.equal(t.isConstant, true);
  assert.deepEqual(t.render({ lookup: () => undefined }), { message: 'regex evaluation timeout probe fired', errors: [] });
});
