/** Drives a spawned symdb-app process and reads what it uploaded to the fake agent. */
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FakeAgent, RecordedPart } from '../../helpers/fake-agent.js';
import type { SymdbAttachment, SymdbEvent, SymdbScope, SymbolDatabaseStats } from '../../../src/symbols/index.js';
import type { HarnessCommand, HarnessConfig } from './symdb-app.js';

const HARNESS = fileURLToPath(new URL('./symdb-app.js', import.meta.url));
const NODE = process.env['PERISCOPE_TEST_NODE'] ?? process.execPath;

function harnessEnv(cfg: HarnessConfig): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SYMDB_HARNESS: JSON.stringify(cfg) };
  delete env['NODE_OPTIONS'];
  delete env['NODE_TEST_CONTEXT'];
  for (const k of Object.keys(env)) if (k.startsWith('DD_')) delete env[k];
  return env;
}

export class SymdbProcess {
  readonly #child: ReturnType<typeof fork>;
  readonly #waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  stderr = '';

  private constructor(cfg: HarnessConfig) {
    this.#child = fork(HARNESS, [], { execPath: NODE, env: harnessEnv(cfg), stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    this.#child.stderr!.on('data', (d) => (this.stderr += d));
    this.#child.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
      const w = this.#waiting.get(msg.id);
      if (!w) return;
      this.#waiting.delete(msg.id);
      if (msg.error !== undefined) w.reject(new Error(msg.error));
      else w.resolve(msg.result);
    });
    this.#child.on('exit', (code) => {
      for (const w of this.#waiting.values()) w.reject(new Error(`harness exited with ${code}: ${this.stderr}`));
      this.#waiting.clear();
    });
  }

  /** Starts the app and resolves once its entry is loaded and the SymbolDatabase started. */
  static async start(cfg: Omit<HarnessConfig, 'mode'>): Promise<SymdbProcess> {
    const p = new SymdbProcess({ ...cfg, mode: 'ipc' });
    await p.#reply(0);
    return p;
  }

  send(cmd: HarnessCommand): Promise<unknown> {
    const id = this.#nextId++;
    const reply = this.#reply(id);
    this.#child.send({ ...cmd, id });
    return reply;
  }

  async waitForUploads(): Promise<SymbolDatabaseStats> {
    return (await this.send({ cmd: 'wait' })) as SymbolDatabaseStats;
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.send({ cmd: 'exit' }).catch(() => {});
    await exited;
  }

  #reply(id: number): Promise<unknown> {
    return new Promise((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
  }
}

/** Runs the harness without IPC (`cluster` or `oneshot` mode) to its end. */
export function runHarness(cfg: HarnessConfig, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE, [HARNESS], { env: harnessEnv(cfg), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

export interface SymdbUpload {
  event: SymdbEvent;
  attachment: SymdbAttachment;
  eventPart: RecordedPart;
  filePart: RecordedPart;
  status: number | undefined;
}

/** Every symdb upload the fake agent received, in order (answered or not). */
export function symdbUploads(agent: FakeAgent): SymdbUpload[] {
  return agent.requestsTo('/symdb/v1/input').map((r) => {
    const eventPart = r.parts?.find((p) => p.name === 'event');
    const filePart = r.parts?.find((p) => p.name === 'file');
    if (!eventPart || !filePart) throw new Error('symdb upload without event and file parts');
    return { event: eventPart.json as SymdbEvent, attachment: filePart.json as SymdbAttachment, eventPart, filePart, status: r.status };
  });
}

/** Root scopes of successful uploads, by source file name. */
export function uploadedRoots(uploads: readonly SymdbUpload[]): Map<string, SymdbScope[]> {
  const out = new Map<string, SymdbScope[]>();
  for (const u of uploads) {
    if (u.status === undefined || u.status >= 300) continue;
    for (const s of u.attachment.scopes) {
      const list = out.get(s.name) ?? [];
      list.push(s);
      out.set(s.name, list);
    }
  }
  return out;
}

/** Depth-first search for a scope by type and name. */
export function findScope(root: SymdbScope, type: string, name: string): SymdbScope | undefined {
  if (root.scope_type === type && root.name === name) return root;
  for (const child of root.scopes) {
    const hit = findScope(child, type, name);
    if (hit) return hit;
  }
  return undefined;
}

/** Every line covered by a scope's injectible ranges. */
export function injectibleLines(scope: SymdbScope): number[] {
  return scope.injectible_lines.flatMap((r) => Array.from({ length: r.end - r.start + 1 }, (_, i) => r.start + i));
}
