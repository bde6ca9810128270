/**
 * The application's stack at a hit, read through V8's structured call sites (no string parsing)
 * and mapped through source maps to original files and 1-based lines.
 */
import type { StackFrame } from '@periscope/protocol';
import { fileURLToPath } from 'node:url';

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
 * Frames innermost first, starting at the probe's own frame: frames of the agent and of the
 * condition's evaluation are skipped by recognising the first frame in `startFile`.
 */
export function captureStack(isAgentFile: (file: string) => boolean, mapper: FrameMapper | undefined): StackFrame[] {
  const originalPrepare = Error.prepareStackTrace;
  const originalLimit = Error.stackTraceLimit;
  let sites: NodeJS.CallSite[] = [];
  try {
    Error.stackTraceLimit = MAX_FRAMES + 16;
    Error.prepareStackTrace = (_err, callSites) => callSites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder);
    sites = (holder.stack as NodeJS.CallSite[] | undefined) ?? [];
  } catch {
    sites = [];
  } finally {
    Error.prepareStackTrace = originalPrepare;
    Error.stackTraceLimit = originalLimit;
  }
  const frames: StackFrame[] = [];
  let started = false;
  for (const site of sites) {
    const rawName = site.getFileName() ?? site.getScriptNameOrSourceURL?.() ?? '';
    if (!started) {
      // Agent frames, then the condition's eval frames, sit above the probe's frame.
      if (rawName === '' || site.isEval() || isAgentFile(toPath(rawName))) continue;
      started = true;
    }
    if (frames.length >= MAX_FRAMES) break;
    const fileName = toPath(rawName);
    const lineNumber = site.getLineNumber() ?? 0;
    const columnNumber = site.getColumnNumber() ?? 0;
    const fn = site.getFunctionName() ?? site.getMethodName() ?? '';
    const mapped = mapper?.map(fileName, lineNumber, columnNumber);
    frames.push(mapped ? { ...mapped, function: fn } : { fileName, function: fn, lineNumber, columnNumber });
  }
  return frames;
}
