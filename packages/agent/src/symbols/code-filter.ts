/**
 * Which code goes into the Symbol Database: application code by default; dependencies
 * (`node_modules`) only when `DD_SYMBOL_DATABASE_INCLUDES` names them; never Node internals or
 * the agent itself.
 */
import path from 'node:path';
import type { TrackedScript } from '../code-tracking/types.js';

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/** The package a `node_modules` path belongs to (`@scope/name` or `name`), else undefined. */
export function packageNameOf(filePath: string): string | undefined {
  const i = filePath.lastIndexOf(NODE_MODULES);
  if (i < 0) return undefined;
  const parts = filePath.slice(i + NODE_MODULES.length).split(path.sep);
  if (parts[0]?.startsWith('@') && parts[1]) return `${parts[0]}/${parts[1]}`;
  return parts[0] || undefined;
}

/**
 * Whether an include entry names this file: a package name matches itself and its sub-paths
 * (`@acme` matches `@acme/db`, `lodash` matches `lodash` but not `lodash-es`); a path matches as
 * a prefix, absolute or relative to the application root.
 */
export function matchesInclude(filePath: string, includes: readonly string[], appRoot: string): boolean {
  if (includes.length === 0) return false;
  const pkg = packageNameOf(filePath);
  const rel = toPosix(path.relative(appRoot, filePath));
  const abs = toPosix(filePath);
  for (const raw of includes) {
    const entry = raw.replace(/\/+$/, '');
    if (entry === '') continue;
    if (pkg !== undefined && (pkg === entry || pkg.startsWith(`${entry}/`))) return true;
    if (abs === entry || abs.startsWith(`${entry}/`) || rel === entry || rel.startsWith(`${entry}/`)) return true;
  }
  return false;
}

/** Application code: not under `node_modules`, unless included. */
export function isWantedFile(filePath: string, includes: readonly string[], appRoot: string): boolean {
  return !filePath.includes(NODE_MODULES) || matchesInclude(filePath, includes, appRoot);
}

/** V8 URLs that name no code a probe could target. */
const UNNAMED_URL = /^(?:node:|internal[:/]|wasm:|data:|evalmachine\.<anonymous>$|VM\d+$)/;

/** Whether a loaded script belongs in the Symbol Database. */
export function isWantedScript(script: TrackedScript, includes: readonly string[], appRoot: string): boolean {
  switch (script.kind) {
    case 'agent':
    case 'internal':
      return false;
    case 'eval':
      return script.url !== '' && !UNNAMED_URL.test(script.url);
    default:
      return script.path !== undefined && isWantedFile(script.path, includes, appRoot);
  }
}

/** The name a probe would use: relative to the application root, `/`-separated; absolute outside it. */
export function sourceFileName(filePath: string, appRoot: string): string {
  const rel = path.relative(appRoot, filePath);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return toPosix(filePath);
  return toPosix(rel);
}

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}
