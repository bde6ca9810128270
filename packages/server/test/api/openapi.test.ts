import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Fastify, { type RouteOptions } from 'fastify';
import { resolveServerOptions } from '../../src/config/server-options.js';
import { apiRoutes } from '../../src/http/api-routes.js';
import type { ServerContext } from '../../src/http/context.js';

const OPENAPI = new URL('../../../openapi.yaml', import.meta.url);
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace']);

/**
 * `METHOD /path` for every operation under `paths:`, with `{param}` written `:param` as fastify
 * does. The file keeps one shape (two-space indent, one key per line at these levels), which is
 * all this reads; the count check below catches a change of shape.
 */
function documentedOperations(yaml: string): string[] {
  const ops: string[] = [];
  let inPaths = false;
  let path: string | null = null;
  for (const line of yaml.split('\n')) {
    if (/^\S/.test(line)) {
      inPaths = line.startsWith('paths:');
      path = null;
      continue;
    }
    if (!inPaths) continue;
    const p = /^ {2}(\/\S*):\s*$/.exec(line);
    if (p) {
      path = p[1]!.replace(/\{([^}]+)\}/g, ':$1');
      continue;
    }
    const m = /^ {4}([a-z]+):/.exec(line);
    if (m && path !== null && METHODS.has(m[1]!)) ops.push(`${m[1]!.toUpperCase()} ${path}`);
  }
  return ops.sort();
}

test('openapi.yaml documents exactly the routes registered under /api/v1', async () => {
  const app = Fastify({ logger: false });
  const registered: string[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      // fastify adds a HEAD twin to every GET by itself.
      if (method === 'HEAD') continue;
      registered.push(`${method} ${route.url.slice('/api/v1'.length)}`);
    }
  });
  // The routes need only options and the DSL compiler to register; handlers are never called here.
  const ctx = { options: resolveServerOptions({}), dsl: null } as unknown as ServerContext;
  await app.register(async (scope) => apiRoutes(scope, ctx), { prefix: '/api/v1' });
  await app.ready();
  await app.close();

  const documented = documentedOperations(readFileSync(OPENAPI, 'utf8'));
  assert.ok(documented.length >= 10, `read only ${documented.length} operations from openapi.yaml: has its layout changed?`);
  assert.deepEqual(registered.sort(), documented);
});
