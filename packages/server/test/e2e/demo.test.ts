import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));

test('npm start demo: server, TypeScript app with the agent, probe over RC, snapshot back', async () => {
  // The asked-for port is taken: the demo moves to a free one and its CLI hints name that one.
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const busy = (blocker.address() as { port: number }).port;
  let r: { status: number | null; stdout: string; stderr: string };
  try {
    r = await new Promise((resolve) => {
      const child = spawn(process.execPath, ['scripts/demo.mjs', '--once', '--port', String(busy)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  } finally {
    blocker.close();
  }
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, new RegExp(`port ${busy} is busy: using http://127\\.0\\.0\\.1:\\d+ instead`));
  const url = /1\. Periscope server\s+(\S+)/.exec(r.stdout)?.[1];
  assert.ok(url && !url.endsWith(`:${busy}`), r.stdout);
  assert.ok(r.stdout.includes(`npx periscope probe ls --server ${url}`), r.stdout);
  assert.match(r.stdout, /5\. snapshot\s+"big order \d+ for ada"/);
  assert.match(r.stdout, /arguments customer = ada/);
  assert.match(r.stdout, /locals\s+subtotal = 480/);
  assert.match(r.stdout, /at placeOrder \(src\/orders\.ts:20\)/);
});
