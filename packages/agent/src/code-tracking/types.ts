/**
 * The registry of loaded code, fed by the inspector: `Debugger.enable` replays every script that
 * is already loaded (the back-fill), later `Debugger.scriptParsed` events are the hot-load hook.
 */

export interface TrackedScript {
  /** V8's script id (unique per isolate, per load). */
  readonly scriptId: string;
  /** The URL as V8 reports it: `file:///…`, `node:…`, a `//# sourceURL`, or `''` for anonymous eval. */
  readonly url: string;
  /** Absolute filesystem path when the script came from a file, else undefined. */
  readonly path: string | undefined;
  /** V8's content hash of the script source. */
  readonly hash: string;
  /** The `sourceMappingURL` comment's value, if any (file path, relative path or `data:` URL). */
  readonly sourceMapURL: string | undefined;
  readonly isModule: boolean;
  /** 0-based line range of the script within its resource (non-zero for inline/wrapped code). */
  readonly startLine: number;
  readonly endLine: number;
  /** Source length in characters. */
  readonly length: number;
  /** True when seen during the initial replay of already-loaded scripts. */
  readonly backfilled: boolean;
  /** Node internals, `node_modules` and the agent's own files are not application code. */
  readonly kind: 'app' | 'dependency' | 'internal' | 'agent' | 'eval';
}

export interface ScriptListener {
  (script: TrackedScript): void;
}

export interface CodeTracker {
  /** Every live script known so far. */
  scripts(): Iterable<TrackedScript>;
  /** Called for every script parsed from now on; returns an unsubscribe function. */
  onScript(listener: ScriptListener): () => void;
  /** The script's source as V8 holds it (synchronous: same-thread inspector session). */
  getScriptSource(scriptId: string): string | undefined;
}
