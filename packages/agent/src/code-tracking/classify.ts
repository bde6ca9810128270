import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrackedScript } from './types.js';

/** Absolute filesystem path for a script URL, or undefined when it is not a file. */
export function scriptUrlToPath(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  // CommonJS modules are reported with a bare absolute path on some Node versions.
  if (url.startsWith('/') || /^[A-Za-z]:[\\/]/.test(url)) return url;
  return undefined;
}

/** Packages the agent loads for itself; their scripts are the agent's, not the application's. */
const AGENT_DEPENDENCIES = [
  '@periscope/protocol',
  'oxc-parser',
  '@oxc-project/types',
  '@jridgewell/trace-mapping',
  '@jridgewell/sourcemap-codec',
  '@jridgewell/resolve-uri',
];

/** Directories holding the agent's own code: never application code, never a probe target. */
const agentRoots: string[] = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url)); // …/agent/dist/src/code-tracking
  const agentPkg = path.resolve(here, '../../..');
  const roots = [path.join(agentPkg, 'dist') + path.sep];
  const require = createRequire(import.meta.url);
  for (const dep of AGENT_DEPENDENCIES) {
    try {
      roots.push(realpathSync(path.dirname(require.resolve(`${dep}/package.json`))) + path.sep);
    } catch {
      // Not installed or not resolvable from here: nothing of it can load either.
    }
  }
  return roots;
})();

/** True for the agent's own compiled files (never targets, skipped in stacks). */
export function isAgentFile(filePath: string): boolean {
  return agentRoots.some((root) => filePath.startsWith(root));
}

export function classifyScript(url: string, filePath: string | undefined): TrackedScript['kind'] {
  if (filePath === undefined) return url.startsWith('node:') || url.startsWith('internal/') ? 'internal' : 'eval';
  if (isAgentFile(filePath)) return 'agent';
  if (filePath.includes(`${path.sep}node_modules${path.sep}`)) return 'dependency';
  return 'app';
}
