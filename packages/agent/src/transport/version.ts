/**
 * The library's own version, sent as `debugger_version` and `client_tracer.tracer_version`.
 */
import { createRequire } from 'node:module';

let cached: string | undefined;

/** Reads `@periscope/agent`'s package.json once; `0.0.0` if it cannot be read. */
export function agentVersion(): string {
  if (cached !== undefined) return cached;
  cached = '0.0.0';
  try {
    // dist/src/transport/version.js → packages/agent/package.json
    const pkg = createRequire(import.meta.url)('../../../package.json') as unknown;
    if (typeof pkg === 'object' && pkg !== null && typeof (pkg as { version?: unknown }).version === 'string') {
      cached = (pkg as { version: string }).version;
    }
  } catch {
    // Bundled or relocated: the version is informational only.
  }
  return cached;
}
