import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { processIo, type OutputStream } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { FakeTracer } from '../helpers/fake-tracer.js';

const BIN = fileURLToPath(new URL('../../../bin/periscope.js', import.meta.url));
const NODE = process.env['PERISCOPE_TEST_NODE'] ?? process.execPath;

/** Runs the CLI in this process through `processIo`, with stand-in streams that may claim to be a terminal. */
async function cliInProcess(args: string[], isTTY: boolean, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out: OutputStream = { isTTY, write: (t: string) => (stdout += t) };
  const err: OutputStream = { isTTY, write: (t: string) => (stderr += t) };
  const code = await runCli(args, processIo({ stdout: out, stderr: err }, env));
  return { code, stdout, stderr };
}

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('periscope CLI against a spawned `periscope server`', () => {
  let server: ReturnType<typeof spawn>;
  let url = '';
  let dataDir = '';
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'periscope-cli-'));
    server = spawn(NODE, [BIN, 'server', '--port', '0', '--data-dir', dataDir, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout! }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    url = (JSON.parse(first) as { url: string }).url;
  });
  after(async () => {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('probe add, ls (table and --json) and rm', async () => {
    const added = await cli(['probe', 'add', 'src/orders.ts:42', '--snapshot', '--service', 'shop', '--server', url, '--json']);
    assert.equal(added.code, 0, added.stderr);
    const probe = JSON.parse(added.stdout);
    assert.equal(probe.target, 'src/orders.ts:42');
    assert.equal(probe.definition.captureSnapshot, true);

    const ls = await cli(['probe', 'ls', '--server', url]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^ID\s+TARGET\s+SERVICE\s+VER\s+CAPTURE\s+STATUS/);
    assert.match(ls.stdout, new RegExp(`${probe.id.slice(0, 8)}\\s+src/orders.ts:42\\s+shop\\s+v1\\s+snapshot\\s+no instance yet`));
    assert.ok(!ls.stdout.includes('\u001b['), 'no colour when not a TTY');

    // Statuses reported by an instance show up per instance.
    const form = new FormData();
    const status = [{ ddsource: 'dd_debugger', service: 'shop', debugger: { diagnostics: { probeId: probe.id, probeVersion: 1, runtimeId: 'rt-12345678', status: 'INSTALLED' } } }];
    form.append('event', new Blob([JSON.stringify(status)], { type: 'application/json' }), 'event.json');
    await (await fetch(`${url}/debugger/v1/diagnostics`, { method: 'POST', body: form })).arrayBuffer();
    const ls2 = await cli(['probe', 'ls', '--server', url]);
    assert.match(ls2.stdout, /1 INSTALLED/);
    assert.match(ls2.stdout, /└ rt-12345\s+shop\s+v1\s+INSTALLED/);
    const lsJson = JSON.parse((await cli(['probe', 'ls', '--server', url, '--json'])).stdout);
    assert.equal(lsJson[0].instances[0].status, 'INSTALLED');

    const rm = await cli(['probe', 'rm', probe.id.slice(0, 8), '--server', url, '--json']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(JSON.parse(rm.stdout), { deleted: probe.id });
    assert.deepEqual(JSON.parse((await cli(['probe', 'ls', '--server', url, '--json'])).stdout), []);
  });

  test('colour on a terminal; none with NO_COLOR, TERM=dumb or when not a terminal', async () => {
    const added = await cli(['probe', 'add', 'src/colour.ts:1', '--snapshot', '--service', 'colour', '--server', url, '--json']);
    assert.equal(added.code, 0, added.stderr);
    const ls = (isTTY: boolean, env: NodeJS.ProcessEnv) => cliInProcess(['probe', 'ls', '--service', 'colour', '--server', url], isTTY, env);
    const tty = await ls(true, {});
    assert.equal(tty.code, 0, tty.stderr);
    assert.ok(tty.stdout.startsWith('\u001b[1mID'), 'bold header on a terminal');
    assert.ok(tty.stdout.includes('\u001b[2mno instance yet\u001b[22m'), 'dim status on a terminal');
    for (const [isTTY, env] of [[true, { NO_COLOR: '1' }], [true, { TERM: 'dumb' }], [false, {}]] as const) {
      const plain = await ls(isTTY, env);
      assert.equal(plain.code, 0, plain.stderr);
      assert.ok(!plain.stdout.includes('\u001b['), `no colour with isTTY=${isTTY} ${JSON.stringify(env)}`);
      // Same text, colour aside.
      assert.equal(plain.stdout, tty.stdout.replace(/\u001b\[[0-9;]*m/g, ''));
    }
    // no-color.org: an empty NO_COLOR does not turn colour off.
    assert.ok((await ls(true, { NO_COLOR: '' })).stdout.includes('\u001b['));
    // The spawned CLI writes to a pipe: no colour even without NO_COLOR.
    const piped = await cli(['probe', 'ls', '--service', 'colour', '--server', url], { NO_COLOR: '' });
    assert.ok(!piped.stdout.includes('\u001b['));
  });

  test('probe add turns --when, --when-json, --capture, --template and --rate into the probe definition', async () => {
    const add = async (...flags: string[]) => {
      const r = await cli(['probe', 'add', 'src/flags.ts:9', '--service', 'flags', '--server', url, '--json', ...flags]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout).definition;
    };
    const total = { getmember: [{ ref: 'order' }, 'total'] };
    const when = await add('--when', 'order.total > 100', '--snapshot');
    assert.deepEqual(when.when, { dsl: 'order.total > 100', json: { gt: [total, 100] } });
    assert.equal(when.captureSnapshot, true);

    const whenJson = await add('--when-json', '{"eq": [{"ref": "n"}, 1]}');
    assert.deepEqual(whenJson.when.json, { eq: [{ ref: 'n' }, 1] });

    const captured = await add('--capture', 'total=order.total', '--capture', 'id=order.id');
    assert.deepEqual(
      captured.captureExpressions.map((c: any) => [c.name, c.expr.json]),
      [['total', total], ['id', { getmember: [{ ref: 'order' }, 'id'] }]],
    );

    const logged = await add('--template', 'order {order.id} costs {order.total}', '--rate', '2.5');
    assert.equal(logged.template, 'order {order.id} costs {order.total}');
    assert.deepEqual(
      logged.segments.map((seg: any) => seg.str ?? seg.json),
      ['order ', { getmember: [{ ref: 'order' }, 'id'] }, ' costs ', total],
    );
    assert.deepEqual(logged.sampling, { snapshotsPerSecond: 2.5 });

    // Mistakes in those flags are usage errors, and nothing is created.
    const before = JSON.parse((await cli(['probe', 'ls', '--service', 'flags', '--server', url, '--json'])).stdout).length;
    for (const [flags, message] of [
      [['--rate', '0'], /--rate must be a positive number, got "0"/],
      [['--when', 'a', '--when-json', '{}'], /give --when or --when-json, not both/],
      [['--when-json', '{nope'], /--when-json is not valid JSON/],
      [['--capture', 'no-equals-sign'], /--capture "no-equals-sign" must look like name=expression/],
    ] as const) {
      const r = await cli(['probe', 'add', 'src/flags.ts:9', '--service', 'flags', '--server', url, ...flags]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    }
    const bad = await cli(['probe', 'add', 'src/flags.ts:9', '--when', 'order.total >', '--server', url]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /when: cannot compile "order\.total >"/);
    assert.equal(JSON.parse((await cli(['probe', 'ls', '--service', 'flags', '--server', url, '--json'])).stdout).length, before);
  });

  test('instances lists the instances that polled, as a table and --json', async () => {
    const tracer = new FakeTracer(url, { service: 'inst-svc', env: 'staging', version: '4.2.0' });
    await tracer.poll();
    const table = await cli(['instances', '--server', url]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^SERVICE\s+RUNTIME ID\s+HOST\s+ENV\s+VERSION\s+TRACER\s+LAST SEEN/);
    assert.match(table.stdout, new RegExp(`inst-svc\\s+${tracer.runtimeId}\\s+test-host\\s+staging\\s+4\\.2\\.0\\s+node 6\\.0\\.0\\s+\\d+s ago`));
    const json = JSON.parse((await cli(['instances', '--service', 'inst-svc', '--server', url, '--json'])).stdout);
    assert.deepEqual(json.map((i: any) => [i.runtimeId, i.service, i.host, i.env]), [[tracer.runtimeId, 'inst-svc', 'test-host', 'staging']]);
    const none = await cli(['instances', '--service', 'no-such-service', '--server', url]);
    assert.equal(none.code, 0);
    assert.match(none.stdout, /^no instances yet/);
  });

  test('invalid input is reported with what to do and a non-zero exit', async () => {
    const bad = await cli(['probe', 'add', 'src/orders.ts', '--server', url]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^periscope: target "src\/orders.ts" is neither "file:line"/);
    const usage = await cli(['probe', 'add', '--bogus']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Unknown option '--bogus'/);
  });

  test('tail prints snapshots as they arrive, readable and --json', async () => {
    const added = JSON.parse((await cli(['probe', 'add', 'src/cart.ts:7', '--snapshot', '--service', 'cart', '--server', url, '--json'])).stdout);
    // Each tail says on stderr when its stream is subscribed; the event is posted only after both did.
    const tail = (json: boolean) => {
      const child = spawn(NODE, [BIN, 'tail', '--server', url, '--probe', added.id.slice(0, 8), '--count', '1', ...(json ? ['--json'] : [])], {
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout!.on('data', (d) => (stdout += d));
      const subscribed = new Promise<void>((resolve) => createInterface({ input: child.stderr! }).once('line', () => resolve()));
      const done = new Promise<{ code: number; stdout: string }>((resolve) => child.on('exit', (code) => resolve({ code: code ?? 1, stdout })));
      return { subscribed, done };
    };
    const readableTail = tail(false);
    const jsonTail = tail(true);
    await Promise.all([readableTail.subscribed, jsonTail.subscribed]);
    const readable = readableTail.done;
    const json = jsonTail.done;
    const event = {
      ddsource: 'dd_debugger',
      service: 'cart',
      message: 'cart total 42',
      logger: { name: 'src/cart.ts', method: 'total', version: 2 },
      debugger: {
        snapshot: {
          id: 'snap-tail-1',
          timestamp: Date.now(),
          language: 'javascript',
          probe: { id: added.id, version: 1, location: { file: 'src/cart.ts', lines: ['7'] } },
          stack: [{ fileName: '/app/src/cart.ts', function: 'total', lineNumber: 7 }],
          captures: { lines: { '7': { locals: { total: { type: 'number', value: '42' } } } } },
        },
      },
    };
    const posted = await fetch(`${url}/debugger/v2/input`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([event]) });
    assert.ok(posted.ok);
    const [r1, r2] = await Promise.all([readable, json]);
    assert.equal(r1.code, 0);
    assert.match(r1.stdout, /cart total 42/);
    assert.match(r1.stdout, /total=42/);
    assert.equal(r2.code, 0);
    assert.equal(JSON.parse(r2.stdout.trim().split('\n')[0]!).message, 'cart total 42');
  });

  test('tail refuses a probe id that matches nothing or several probes', async () => {
    const a = JSON.parse((await cli(['probe', 'add', 'src/a.ts:1', '--snapshot', '--server', url, '--json'])).stdout);
    const b = JSON.parse((await cli(['probe', 'add', 'src/b.ts:1', '--snapshot', '--server', url, '--json'])).stdout);
    const none = await cli(['tail', '--probe', 'zzzz-no-such-probe', '--server', url]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no probe matches "zzzz-no-such-probe"/);
    // The shared leading characters of two ids (an empty prefix matches every probe).
    let common = 0;
    while (a.id[common] === b.id[common]) common++;
    const several = await cli(['tail', '--probe', a.id.slice(0, common), '--server', url]);
    assert.equal(several.code, 1);
    assert.match(several.stderr, /matches \d+ probes/);
    assert.ok(several.stderr.includes(a.id) && several.stderr.includes(b.id));
  });

  test('symbols search prints a table and --json', async () => {
    const form = new FormData();
    form.append('event', new Blob([JSON.stringify({ service: 'shop', runtimeId: 'r1' })], { type: 'application/json' }), 'event.json');
    const scopes = [
      {
        scope_type: 'MODULE', source_file: 'src/cart.ts', start_line: 0, end_line: 2147483647,
        scopes: [{ scope_type: 'FUNCTION', name: 'computeTotal', source_file: 'src/cart.ts', start_line: 4, end_line: 12, symbols: [{ symbol_type: 'ARG', name: 'cart', line: 0, type: 'Cart' }], injectible_lines: [{ start: 5, end: 11 }] }],
      },
    ];
    form.append('file', new Blob([gzipSync(JSON.stringify({ service: 'shop', version: '1', language: 'javascript', scopes }))], { type: 'application/gzip' }), 'f.gz');
    assert.equal((await fetch(`${url}/symdb/v1/input`, { method: 'POST', body: form })).status, 202);
    const table = await cli(['symbols', 'cmpTot', '--server', url]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /function\s+computeTotal\s+src\/cart.ts:4-12\s+shop\s+5-11/);
    const json = JSON.parse((await cli(['symbols', 'cart', '--kind', 'parameter', '--server', url, '--json'])).stdout);
    assert.equal(json[0].name, 'cart');
    assert.deepEqual(json[0].scopeChain, ['src/cart.ts', 'computeTotal']);
  });
});

test('a readable error when the server is down', async () => {
  const res = await cli(['probe', 'ls'], { PERISCOPE_SERVER: 'http://127.0.0.1:9' });
  assert.equal(res.code, 1);
  assert.match(res.stderr, /cannot reach server at http:\/\/127\.0\.0\.1:9: start it with `periscope server`/);
  assert.equal(res.stdout, '');
});

test('`periscope server` refuses an exposed address without credentials', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'periscope-cli-'));
  try {
    const res = await cli(['server', '--host', '0.0.0.0', '--port', '0', '--data-dir', dir], { PERISCOPE_ADMIN_TOKEN: '', PERISCOPE_API_KEY: '' });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /refusing to listen on 0\.0\.0\.0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
