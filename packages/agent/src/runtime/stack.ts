/**
 * The application's stack at a hit, read through V8's structured call sites (no string parsing)
 * and mapped through source maps to original files and 1-based lines.
 */
import type { StackFrame } from '@periscope/protocol';
import { fileURLToPath } from 'node:url';
import { withPrepareStackTrace, withStackTraceLimit } from '../safe/reflect.js';

export interface FrameMapper {
  /** Maps a 1-based generated position of a file path to the original one, if it has a map. */
  map(filePath: string, line: number, column: number): { fileName: string; lineNumber: number; columnNumber: number } | undefined;
}

const MAX_FRAMES = 64;

/** `file://` URLs already converted; URL parsing per frame would dominate a stack capture. */
const pathOfUrl = new Map<string, string>();
const MAX_CACHED_URLS = 4096;

function toPath(fileName: string): string {
  if (!fileName.startsWith('file://')) return fileName;
  let p = pathOfUrl.get(fileName);
  if (p === undefined) {
    try {
      p = fileURLToPath(fileName);
    } catch {
      p = fileName;
    }
    if (pathOfUrl.size >= MAX_CACHED_URLS) pathOfUrl.clear();
    pathOfUrl.set(fileName, p);
  }
  return p;
}

/**
 * The stack at a hit, taken in two steps: V8 records the frames at the hit (cheap: no CallSite
 * objects, no strings), and they are formatted after the hit, when the event is serialised.
 * The record keeps the frames' functions and receivers alive until then (one event-loop turn).
 */
export interface PendingStack {
  stack?: unknown;
}

/**
 * Records the current stack without the frames of `omitAbove` and everything it called (the
 * agent's own frames); formatted later by {@link formatStack}.
 */
export function recordStack(omitAbove: Function): PendingStack {
  const holder: PendingStack = {};
  try {
    withStackTraceLimit(MAX_FRAMES + 16, () => Error.captureStackTrace(holder, omitAbove));
  } catch {
    // No stack rather than a failed hit.
  }
  return holder;
}

/**
 * Frames innermost first, starting at the probe's own frame: frames of the agent and of the
 * condition's evaluation that were recorded are skipped.
 */
export function formatStack(pending: PendingStack, isAgentFile: (file: string) => boolean, mapper: FrameMapper | undefined): StackFrame[] {
  let sites: NodeJS.CallSite[] = [];
  try {
    // V8 formats a recorded stack on first access, with the hook in place at that moment.
    const stack = withPrepareStackTrace((_err, callSites) => callSites, () => pending.stack);
    if (Array.isArray(stack)) sites = stack as NodeJS.CallSite[];
  } catch {
    sites = [];
  }
  const frames: StackFrame[] = [];
  let started = false;
  for (const site of sites) {
    const rawName = site.getFileName() ?? site.getScriptNameOrSourceURL?.() ?? '';
    if (!started) {
      // The breakpoint condition's own frame (anonymous eval code, no name) and any agent frames
      // sit above the probe's frame. Eval code with a `//# sourceURL` is named: a probe there has
      // its own frame on an eval site, which is kept.
      if (rawName === '' || (site.isEval() && site.getScriptNameOrSourceURL?.() === undefined) || isAgentFile(toPath(rawName))) continue;
      started = true;
    }
    if (frames.length >= MAX_FRAMES) break;
    const fileName = toPath(rawName);
    const lineNumber = site.getLineNumber() ?? 0;
    const columnNumber = site.getColumnNumber() ?? 0;
    const fn = site.getFunctionName() ?? site.getMethodName() ?? '';
    const mapped = mapper?.map(fileName, lineNumber, columnNumber);
    frames.push(
      mapped
        ? { fileName: mapped.fileName, function: fn, lineNumber: mapped.lineNumber, columnNumber: mapped.columnNumber }
        : { fileName, function: fn, lineNumber, columnNumber },
    );
  }
  return frames;
}
