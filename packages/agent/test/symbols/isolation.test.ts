/**
 * Where symbol extraction runs. By default a child process at the lowest CPU priority (see
 * worker-client.ts for the measurements behind it); `PERISCOPE_SYMBOL_DATABASE_ISOLATION=thread`
 * keeps the worker thread. Real applications preloaded through NODE_OPTIONS, as deployments do, so
 * that a child which inherited the preload would start an agent (and a child) of its own.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeAgent } from '../helpers/fake-agent.js';
import { NODE, REGISTER } from '../helpers/run-app.js';
import { makeJsApp } from './helpers/apps.js';
import { symdbUploads } from './helpers/symdb-process.js';

const linux = process.platform === 'linux';

/** Stays up, prints `ready` once its code is loaded, ends on SIGTERM with one more line. */
const ENTRY = `
require('./main.js');
const timer = setInterval(() => {}, 1000);
process.on('SIGTERM', () => { clearInterval(timer); console.log('bye'); });
console.log('ready');
`;

interface ProcInfo {
  pid: number;
  ppid: number;
  nice: number;
  cmdline: string;
}

/** Every process on the machine with its parent, nice value and command line (Linux /proc). */
function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: the fields after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({
        pid: Number(name),
        ppid: Number(fields[1]),
        nice: Number(fields[16]),
        cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' '),
      });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

const childrenOf = (pid: number): ProcInfo[] => processes().filter((p) => p.ppid === pid);

async function until<T>(what: string, read: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

class App {
  readonly root = makeJsApp();
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout = '';
  stderr = '';

  constructor(service: string, env: Record<string, string>) {
    writeFileSync(path.join(this.root, 'entry.cjs'), ENTRY);
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(base)) if (k.startsWith('DD_') || k.startsWith('PERISCOPE_')) delete base[k];
    delete base['NODE_TEST_CONTEXT'];
    this.child = spawn(NODE, ['entry.cjs'], {
      cwd: this.root,
      env: {
        ...base,
        NODE_OPTIONS: `--import ${REGISTER}`,
        DD_SERVICE: service,
        DD_TRACE_AGENT_URL: agent.url.href,
        DD_REMOTE_CONFIG_ENABLED: 'false',
        DD_INTERNAL_FORCE_SYMBOL_DATABASE_UPLOAD: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d) => (this.stdout += d));
    this.child.stderr!.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    apps.push(this);
  }
}

let agent: FakeAgent;
const apps: App[] = [];
before(async () => {
  agent = await FakeAgent.start();
});
after(async () => {
  // A failed assertion leaves its app (and the app's child) running: end them here.
  for (const app of apps) if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  await agent.close();
});

const uploadedBy = (service: string) => symdbUploads(agent).filter((u) => u.event.service === service);
const namesOf = (service: string) => [...new Set(uploadedBy(service).flatMap((u) => u.attachment.scopes.map((s) => s.name)))].sort();
/** The back-fill upload: the entry and what it required. */
const backfilled = (service: string) => (namesOf(service).includes('entry.cjs') && namesOf(service).includes('main.js') ? true : undefined);

test('by default a child process at nice 19 extracts, starts no agent of its own, and dies with the application', { skip: !linux && 'reads /proc' }, async () => {
  const app = new App('iso-process', {});
  const pid = app.child.pid!;
  await until('the back-fill upload', () => backfilled('iso-process'));

  const kids = childrenOf(pid);
  assert.equal(kids.length, 1, `one child: ${JSON.stringify(kids)}`);
  const worker = kids[0]!;
  assert.match(worker.cmdline, /symbols\/worker\.js/);
  assert.equal(worker.nice, 19);
  // NODE_OPTIONS carried the preload: a child that kept it would run an agent, and fork again.
  assert.deepEqual(childrenOf(worker.pid), []);
  assert.ok(!readFileSync(`/proc/${worker.pid}/environ`, 'utf8').split('\0').some((kv) => kv.startsWith('NODE_OPTIONS=')));

  // Killed without a chance to clean up: the child notices its channel closing and exits.
  app.child.kill('SIGKILL');
  await app.exited;
  await until('the child to exit', () => (existsSync(`/proc/${worker.pid}`) && !isZombie(worker.pid) ? undefined : true));
  assert.equal(app.stderr, '');
});

test('the application ends as usual and its output is its own', { skip: !linux && 'reads /proc' }, async () => {
  const app = new App('iso-exit', {});
  await until('the back-fill upload', () => backfilled('iso-exit'));
  const [worker] = childrenOf(app.child.pid!);
  assert.ok(worker, 'a symbols child');
  app.child.kill('SIGTERM');
  assert.equal(await app.exited, 0);
  assert.equal(app.stdout, 'ready\nbye\n');
  assert.equal(app.stderr, '');
  await until('the child to exit', () => (existsSync(`/proc/${worker.pid}`) && !isZombie(worker.pid) ? undefined : true));
});

test('PERISCOPE_SYMBOL_DATABASE_ISOLATION=thread extracts in a worker thread: same uploads, no child process', { skip: !linux && 'reads /proc' }, async () => {
  const app = new App('iso-thread', { PERISCOPE_SYMBOL_DATABASE_ISOLATION: 'thread' });
  await until('the back-fill upload', () => backfilled('iso-thread'));
  assert.deepEqual(namesOf('iso-thread'), namesOf('iso-process'));
  assert.deepEqual(childrenOf(app.child.pid!), []);
  app.child.kill('SIGTERM');
  assert.equal(await app.exited, 0);
  assert.equal(app.stderr, '');
});

/** A child already exited but not yet reaped by its (dead) parent's reaper is a zombie: gone for our purpose. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
