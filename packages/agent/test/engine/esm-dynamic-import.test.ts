/**
 * An ESM application preloaded with the package specifier (`--import @periscope/agent/register`),
 * with a probe file targeting a module that the app imports later with `import()`: the probe is
 * pending (RECEIVED, nothing else) while the file is not loaded, INSTALLED when it is, and its
 * snapshots carry the function's locals. The app's output and exit code are the same as without
 * the agent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DiagnosticItem, ProbeEvent } from '@periscope/protocol';
import { FIXTURES, NODE, logProbe, tempDir } from '../helpers/run-app.js';

const app = path.join(FIXTURES, 'engine/esm-dynamic-import');

interface Records {
  events: ProbeEvent[];
  statuses: DiagnosticItem[];
}

function readRecords(file: string): Records {
  const out: Records = { events: [], statuses: [] };
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const rec = JSON.parse(line) as { kind: string; event?: ProbeEvent; status?: DiagnosticItem };
    if (rec.kind === 'event') out.events.push(rec.event!);
    else out.statuses.push(rec.status!);
  }
  return out;
}

const statusNames = (r: Records, id: string) =>
  r.statuses.filter((s) => s.debugger.diagnostics.probeId === id).map((s) => s.debugger.diagnostics.status);

/** Polls `check` until it returns true (the condition is the signal), failing after `ms`. */
async function waitFor(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the agent had written when the app was told to import its module. */
  beforeImport: Records;
  after: Records;
}

/**
 * Runs app.mjs, with the agent preloaded through the package name when `probes` are given.
 * Once the app waits on stdin, the test waits until the agent has written the probe's first
 * status, takes that picture, then lets the app import lib/later.mjs.
 */
async function run(probes: unknown[] | undefined): Promise<Run> {
  const dir = tempDir();
  const out = path.join(dir, 'out.jsonl');
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  delete env['NODE_OPTIONS'];
  delete env['NODE_TEST_CONTEXT'];
  const args = ['app.mjs'];
  if (probes) {
    const probeFile = path.join(dir, 'probes.json');
    writeFileSync(probeFile, JSON.stringify(probes));
    Object.assign(env, {
      DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'true',
      DD_DYNAMIC_INSTRUMENTATION_PROBE_FILE: probeFile,
      DD_REMOTE_CONFIG_ENABLED: 'false',
      PERISCOPE_OUTPUT_FILE: out,
    });
    // Resolved from the app's directory up to the workspace's node_modules/@periscope/agent.
    args.unshift('--import', '@periscope/agent/register');
  }
  const child = spawn(NODE, args, { cwd: app, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    await waitFor('the app to wait for "go"', () => stdout.includes('waiting\n') || child.exitCode !== null);
    if (probes) await waitFor('the first status in the agent output', () => readRecords(out).statuses.length > 0 || child.exitCode !== null);
    const beforeImport = readRecords(out);
    child.stdin.end('go\n');
    const code = await exited;
    return { code, stdout, stderr, beforeImport, after: readRecords(out) };
  } finally {
    clearTimeout(timer);
  }
}

test('ESM app under --import @periscope/agent/register: a probe on a dynamically imported file is pending, then installed, then captures', async () => {
  const baseline = await run(undefined);
  assert.equal(baseline.code, 3, baseline.stderr);
  assert.equal(baseline.stdout, 'waiting\npen x1 1.5\npen x2 3\npen x3 4.5\n');

  const withAgent = await run([
    logProbe('later', 'lib/later.mjs', 5, { captureSnapshot: true, sampling: { snapshotsPerSecond: 1e9 } }),
  ]);
  // The application's own behaviour is unchanged.
  assert.equal(withAgent.code, baseline.code, withAgent.stderr);
  assert.equal(withAgent.stdout, baseline.stdout);
  assert.equal(withAgent.stderr, baseline.stderr);

  // Before the import: received and pending. An unresolvable probe would have its ERROR in the
  // same write as its RECEIVED (both are reported while the probe file is read).
  assert.deepEqual(statusNames(withAgent.beforeImport, 'later'), ['RECEIVED']);
  assert.equal(withAgent.beforeImport.events.length, 0);

  assert.deepEqual(statusNames(withAgent.after, 'later'), ['RECEIVED', 'INSTALLED', 'EMITTING']);
  const events = withAgent.after.events.filter((e) => e.debugger.snapshot.probe.id === 'later');
  assert.equal(events.length, 3, 'one snapshot per call');
  events.forEach((event, i) => {
    const snap = event.debugger.snapshot;
    assert.deepEqual(snap.probe.location, { file: 'lib/later.mjs', lines: ['5'] });
    const qty = i + 1;
    const line = snap.captures!.lines!['5']!;
    assert.deepEqual(Object.keys(line.arguments!).sort(), ['item', 'qty']);
    assert.deepEqual(line.arguments!['qty'], { type: 'number', value: String(qty) });
    assert.deepEqual(line.locals, {
      unit: { type: 'number', value: '150' },
      subtotal: { type: 'number', value: String(150 * qty) },
      label: { type: 'string', value: `pen x${qty}` },
    });
    assert.equal(snap.stack![0]!.function, 'quote');
    assert.equal(snap.stack![0]!.lineNumber, 5);
    assert.match(snap.stack![0]!.fileName, /esm-dynamic-import[\\/]lib[\\/]later\.mjs$/);
  });
});
