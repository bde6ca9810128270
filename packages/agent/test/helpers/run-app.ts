/**
 * Spawns a real Node process with the agent preloaded and collects what it wrote: stdout,
 * stderr, exit code and the agent's JSON-lines output (events and statuses).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiagnosticItem, ProbeEvent } from '@periscope/protocol';

export const NODE = process.env['PERISCOPE_TEST_NODE'] ?? process.execPath;
export const AGENT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const REGISTER = path.join(AGENT_ROOT, 'dist/src/register.js');
export const FIXTURES = path.join(AGENT_ROOT, 'test/fixtures');

export interface AppRun {
  code: number | null;
  stdout: string;
  stderr: string;
  events: ProbeEvent[];
  statuses: DiagnosticItem[];
}

export interface RunOptions {
  cwd: string;
  args: string[];
  /** `'import'` (ESM preload), `'require'` (-r) or `false` (no preload). */
  preload?: 'import' | 'require' | false;
  env?: Record<string, string>;
  probes?: unknown[];
  timeoutMs?: number;
}

export function tempDir(prefix = 'periscope-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface StartedApp {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  done: Promise<AppRun>;
}

export async function runApp(opts: RunOptions): Promise<AppRun> {
  return startApp(opts).done;
}

/**
 * Starts the app and returns at once. By default the agent writes JSON lines to a file and
 * Remote Config is off; with `network: true` it talks to `DD_TRACE_AGENT_URL` instead.
 */
export function startApp(opts: RunOptions & { network?: boolean }): StartedApp {
  const dir = tempDir();
  const out = path.join(dir, 'out.jsonl');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...(opts.network ? {} : { PERISCOPE_OUTPUT_FILE: out, DD_REMOTE_CONFIG_ENABLED: 'false' }),
    DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'true',
    ...opts.env,
  };
  delete env['NODE_OPTIONS'];
  delete env['NODE_TEST_CONTEXT'];
  if (opts.probes) {
    const file = path.join(dir, 'probes.json');
    writeFileSync(file, JSON.stringify(opts.probes));
    env['DD_DYNAMIC_INSTRUMENTATION_PROBE_FILE'] = file;
  }
  const preload = opts.preload === undefined ? 'import' : opts.preload;
  const args = preload === 'import' ? ['--import', REGISTER] : preload === 'require' ? ['-r', REGISTER] : [];
  const child = spawn(NODE, [...args, ...opts.args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
  const done = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c))).then((code) => {
    clearTimeout(timer);
    return collect(code, stdout, stderr, out);
  });
  return { child, done };
}

function collect(code: number | null, stdout: string, stderr: string, out: string): AppRun {
  const events: ProbeEvent[] = [];
  const statuses: DiagnosticItem[] = [];
  if (existsSync(out)) {
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      if (!line) continue;
      const rec = JSON.parse(line) as { kind: string; event?: ProbeEvent; status?: DiagnosticItem };
      if (rec.kind === 'event') events.push(rec.event!);
      else statuses.push(rec.status!);
    }
  }
  return { code, stdout, stderr, events, statuses };
}

/** Statuses of one probe, in order, as `STATUS` or `STATUS: message` for ERROR/INSTALLED notes. */
export function statusesOf(run: AppRun, probeId: string): Array<{ status: string; message: string; version: number }> {
  return run.statuses
    .filter((s) => s.debugger.diagnostics.probeId === probeId)
    .map((s) => ({ status: s.debugger.diagnostics.status, message: s.message, version: s.debugger.diagnostics.probeVersion }));
}

export function eventsOf(run: AppRun, probeId: string): ProbeEvent[] {
  return run.events.filter((e) => e.debugger.snapshot.probe.id === probeId);
}

export function logProbe(id: string, sourceFile: string, line: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, version: 0, type: 'LOG_PROBE', where: { sourceFile, lines: [String(line)] }, template: `probe ${id}`, ...extra };
}

/** Resolves once the fixture printed `ready` (SIGTERM handler installed, first call made). */
export function ready(app: StartedApp): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    app.child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    app.child.once('exit', (code) => reject(new Error(`app exited (${code}) before it was ready`)));
  });
}
