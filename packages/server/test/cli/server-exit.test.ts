import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/periscope.js', import.meta.url));
const NODE = process.env['PERISCOPE_TEST_NODE'] ?? process.execPath;

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`\`periscope server\` exits with code 0 and nothing on stderr on ${signal}`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'periscope-exit-'));
    try {
      const server = spawn(NODE, [BIN, 'server', '--port', '0', '--data-dir', dataDir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        // 'close', not 'exit': by then stderr has been read to its end.
        server.once('close', (code, sig) => resolve({ code, signal: sig })),
      );
      const first = await Promise.race([
        new Promise<string>((resolve) => createInterface({ input: server.stdout! }).once('line', resolve)),
        exited.then((e) => Promise.reject(new Error(`server exited early (${JSON.stringify(e)}): ${stderr}`))),
      ]);
      // It is serving: a stored write is acknowledged, so the database is open when the signal comes.
      const url = (JSON.parse(first) as { url: string }).url;
      const created = await fetch(`${url}/api/v1/probes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target: 'src/a.ts:1', service: 'exit', captureSnapshot: true }),
      });
      await created.arrayBuffer();
      assert.equal(created.status, 201);
      server.kill(signal);
      const result = await exited;
      assert.deepEqual(result, { code: 0, signal: null }, stderr);
      assert.equal(stderr, '');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
