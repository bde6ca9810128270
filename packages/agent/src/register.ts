/**
 * Preload entry: `node --import @periscope/agent/register app.js` (ESM) or
 * `node -r @periscope/agent/register app.js` (CommonJS). Starting here, before the application's
 * modules load, lets code tracking see every script before V8 could collect it.
 */
import { start } from './index.js';

try {
  start();
} catch (err) {
  process.emitWarning(`Periscope agent failed to start: ${(err as Error).message}`, { code: 'PERISCOPE_START' });
}
