#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/test/**/*.test.js) with node's test runner.
// Usage: node scripts/test.mjs [substring-filter ...]
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
// better-sqlite3 is a native addon built for the system Node (20); on another Node the server's
// tests run in the Node 20 pass only, the agent's run everywhere.
// Checked in a child process: the native module is not loaded into this one.
const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, stdio: 'ignore' });
const serverTestable = probe.status === 0;
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
}
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', pkg, 'dist', 'test');
  if (existsSync(dir)) walk(dir);
}
const selected = files
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .filter((f) => serverTestable || !f.includes(`${join('packages', 'server')}`))
  .sort();
if (!serverTestable) console.log(`better-sqlite3 is not built for node ${process.version}: server tests run in the system-Node pass`);
if (selected.length === 0) {
  console.error('no test files found; did the build run?');
  process.exit(1);
}
console.log(`node ${process.version}: ${selected.length} test files`);
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=120000', ...selected], {
  stdio: 'inherit',
  env: { ...process.env, PERISCOPE_TEST_NODE: process.execPath },
});
process.exit(r.status ?? 1);
