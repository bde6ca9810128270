import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));

test('npm start demo: server, TypeScript app with the agent, probe over RC, snapshot back', () => {
  const r = spawnSync(process.execPath, ['scripts/demo.mjs', '--once', '--port', '0'], { cwd: root, encoding: 'utf8', timeout: 90_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /5\. snapshot\s+"big order \d+ for ada"/);
  assert.match(r.stdout, /arguments customer = ada/);
  assert.match(r.stdout, /locals\s+subtotal = 480/);
  assert.match(r.stdout, /at placeOrder \(src\/orders\.ts:20\)/);
});
