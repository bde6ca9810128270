/**
 * Preload entry: `node --import @periscope/agent/register app.js` (ESM) or
 * `node -r @periscope/agent/register app.js` (CommonJS). Starting here, before the application's
 * modules load, lets code tracking see every script before V8 could collect it.
 */
import { isMainThread } from 'node:worker_threads';
import { start } from './index.js';

try {
  // A preload in NODE_OPTIONS reaches worker threads too: one agent per process is enough.
  if (isMainThread) start();
} catch (err) {
  process.emitWarning(`Periscope agent failed to start: ${(err as Error).message}`, { code: 'PERISCOPE_START' });
}
