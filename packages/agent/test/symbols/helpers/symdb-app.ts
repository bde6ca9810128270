/**
 * A real application process for Symbol Database tests: the real inspector code tracker and a
 * SymbolDatabase pointed at a fake agent, the application's entry loaded before the tracker
 * starts (so it arrives through the back-fill), then commands over IPC that load more code or
 * toggle uploads. Configured with the SYMDB_HARNESS environment variable (JSON).
 *
 * Modes: `ipc` (commands), `cluster` (node:cluster primary forking N workers that each upload
 * and exit), `oneshot` (start and let the process end on its own).
 */
import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { InspectorCodeTracker } from '../../../src/code-tracking/index.js';
import { loadConfig, type AgentOptions } from '../../../src/config/settings.js';
import { InspectorSession } from '../../../src/inspector/session.js';
import { SymbolDatabase, type SymbolDatabaseOptions } from '../../../src/symbols/index.js';

export interface HarnessConfig {
  mode: 'ipc' | 'cluster' | 'oneshot';
  appRoot: string;
  /** Entry file relative to appRoot. */
  entry: string;
  settings: AgentOptions;
  options: Omit<SymbolDatabaseOptions, 'config' | 'tracker' | 'client' | 'log'>;
  workers?: number;
}

export type HarnessCommand =
  | { cmd: 'wait' }
  | { cmd: 'stats' }
  | { cmd: 'require'; file: string }
  | { cmd: 'reload'; file: string }
  | { cmd: 'import'; file: string }
  | { cmd: 'vm'; code: string; name: string }
  | { cmd: 'enable'; value: boolean }
  | { cmd: 'exit' };

const cfg = JSON.parse(process.env['SYMDB_HARNESS'] ?? '{}') as HarnessConfig;
const appRequire = createRequire(path.join(cfg.appRoot, 'index.js'));

function startAgent(): SymbolDatabase {
  const config = loadConfig({ ...cfg.settings, appRoot: cfg.appRoot }, {});
  appRequire(path.join(cfg.appRoot, cfg.entry));
  const session = new InspectorSession();
  session.connect();
  const tracker = new InspectorCodeTracker(session);
  tracker.start();
  const db = new SymbolDatabase({ ...cfg.options, config, tracker });
  db.start();
  return db;
}

async function handle(db: SymbolDatabase, msg: HarnessCommand): Promise<unknown> {
  const abs = (f: string): string => path.join(cfg.appRoot, f);
  switch (msg.cmd) {
    case 'wait':
      await db.waitForUploads();
      return db.stats();
    case 'stats':
      return db.stats();
    case 'require':
      appRequire(abs(msg.file));
      return null;
    case 'reload':
      delete appRequire.cache[abs(msg.file)];
      appRequire(abs(msg.file));
      return null;
    case 'import':
      await import(pathToFileURL(abs(msg.file)).href);
      return null;
    case 'vm':
      vm.runInThisContext(`${msg.code}\n//# sourceURL=${msg.name}`);
      return null;
    case 'enable':
      db.setUploadEnabled(msg.value);
      return null;
    case 'exit':
      db.stop();
      setImmediate(() => process.exit(0));
      return null;
  }
}

if (cfg.mode === 'cluster' && cluster.isPrimary) {
  let alive = cfg.workers ?? 2;
  for (let i = 0; i < alive; i++) cluster.fork();
  cluster.on('exit', () => {
    if (--alive === 0) process.exit(0);
  });
} else if (cfg.mode === 'cluster' || cfg.mode === 'oneshot') {
  const db = startAgent();
  if (cfg.mode === 'cluster') {
    await db.waitForUploads();
    process.stdout.write(`${JSON.stringify({ pid: process.pid, stats: db.stats() })}\n`);
    process.exit(0);
  }
} else {
  const db = startAgent();
  process.on('message', (msg: HarnessCommand & { id: number }) => {
    handle(db, msg).then(
      (result) => process.send!({ id: msg.id, result }),
      (err: Error) => process.send!({ id: msg.id, error: err.message }),
    );
  });
  process.send!({ id: 0, result: 'ready' });
}
