/**
 * Importing the package must not load ajv: the agent imports it into every application at
 * start-up (types, parseProbe), and ajv takes ~100 ms to load. It loads on the first validation.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const INDEX = new URL('../src/index.js', import.meta.url).href;

test('ajv is loaded by the first validation, not by the import', () => {
  const script = `
    import { createRequire } from 'node:module';
    const cache = createRequire(import.meta.url).cache;
    const ajvLoaded = () => Object.keys(cache).some((k) => /[\\\\/]node_modules[\\\\/]ajv[\\\\/]/.test(k));
    const p = await import(${JSON.stringify(INDEX)});
    const before = ajvLoaded();
    p.parseProbe({ id: 'a', type: 'LOG_PROBE', where: { sourceFile: 'a.js', lines: ['1'] } });
    const afterParse = ajvLoaded();
    const ok = p.validateProbe({ id: 'a', type: 'LOG_PROBE', where: { sourceFile: 'a.js', lines: ['1'] } }).ok;
    process.stdout.write(JSON.stringify({ before, afterParse, ok, after: ajvLoaded() }));
  `;
  const r = spawnSync(process.env['PERISCOPE_TEST_NODE'] ?? process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { before: false, afterParse: false, ok: true, after: true });
});
