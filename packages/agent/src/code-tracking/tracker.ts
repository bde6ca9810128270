/**
 * Tracks every script V8 has loaded. `Debugger.enable` replays the scripts that already exist
 * (the back-fill of code loaded before the agent started); later `Debugger.scriptParsed` events
 * are the hot-load hook. Anonymous eval code cannot be targeted by path, so it is only counted:
 * an app that evals per request must not grow our memory.
 */
import type { InspectorSession } from '../inspector/session.js';
import { classifyScript, scriptUrlToPath } from './classify.js';
import type { CodeTracker, ScriptListener, TrackedScript } from './types.js';

interface ScriptParsedEvent {
  scriptId: string;
  url: string;
  startLine: number;
  endLine: number;
  hash: string;
  sourceMapURL?: string;
  isModule?: boolean;
  length?: number;
}

/** Named (sourceURL) eval scripts kept at most; the oldest are forgotten first. */
const MAX_EVAL_SCRIPTS = 2000;
/** Bytes of source V8 may keep for collected scripts while the debugger is on. */
const MAX_SCRIPTS_CACHE_BYTES = 10 * 1024 * 1024;

export interface TrackerStats {
  scripts: number;
  byKind: Record<TrackedScript['kind'], number>;
  anonymousEvals: number;
  forgottenEvals: number;
  forgottenCollected: number;
}

export class InspectorCodeTracker implements CodeTracker {
  private readonly byId = new Map<string, TrackedScript>();
  private readonly byPath = new Map<string, Set<string>>();
  private readonly evalOrder: string[] = [];
  private readonly listeners = new Set<ScriptListener>();
  /** Scripts parsed since the last turn of the event loop: their top-level code has not run yet. */
  private readonly fresh = new Set<string>();
  /**
   * Files whose every script V8 collected after we saw it. The CommonJS loader lists what it
   * loaded (`require.cache`), the ESM loader does not: this is how a collected ES module is
   * still known as loaded. Bounded by the number of files.
   */
  private readonly lost = new Set<string>();
  private backfilling = false;
  private anonymousEvals = 0;
  private forgottenEvals = 0;
  private forgottenCollected = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly session: InspectorSession) {}

  /** Enables the Debugger domain; the replay of already-loaded scripts happens inside this call. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.session.on('Debugger.scriptParsed', (e: ScriptParsedEvent) => this.onParsed(e));
    this.backfilling = true;
    try {
      this.session.post('Debugger.enable', { maxScriptsCacheSize: MAX_SCRIPTS_CACHE_BYTES });
    } finally {
      this.backfilling = false;
    }
  }

  /** Stops listening and forgets every script: a later `start()` replays them afresh. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.byId.clear();
    this.byPath.clear();
    this.evalOrder.length = 0;
  }

  scripts(): Iterable<TrackedScript> {
    return this.byId.values();
  }

  get(scriptId: string): TrackedScript | undefined {
    return this.byId.get(scriptId);
  }

  /** Live scripts loaded from this absolute path (several after re-evaluation or HMR). */
  byFilePath(filePath: string): TrackedScript[] {
    const ids = this.byPath.get(filePath);
    if (!ids) return [];
    const out: TrackedScript[] = [];
    for (const id of ids) {
      const s = this.byId.get(id);
      if (s) out.push(s);
    }
    return out;
  }

  /** All distinct keys (file paths, or URLs for named eval code) of live scripts. */
  paths(): IterableIterator<string> {
    return this.byPath.keys();
  }

  /** Files that were loaded but whose scripts V8 has collected since (no live script left). */
  lostPaths(): ReadonlySet<string> {
    return this.lost;
  }

  onScript(listener: ScriptListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getScriptSource(scriptId: string): string | undefined {
    const r = this.session.tryPost<{ scriptSource: string }>('Debugger.getScriptSource', { scriptId });
    if (r === undefined) this.forget(scriptId, true);
    return r?.scriptSource;
  }

  /**
   * True for a script parsed in the current turn of the event loop (a CommonJS module about to
   * run, an ES module about to be evaluated): its module top-level code has not executed yet.
   */
  isFresh(scriptId: string): boolean {
    return this.fresh.has(scriptId);
  }

  /** Drops a script V8 no longer knows (garbage-collected): it must not cause install errors. */
  forget(scriptId: string, collected = false): void {
    const s = this.byId.get(scriptId);
    if (!s) return;
    this.byId.delete(scriptId);
    const key = s.path ?? s.url;
    const set = this.byPath.get(key);
    set?.delete(scriptId);
    if (set && set.size === 0) {
      this.byPath.delete(key);
      if (collected && s.path !== undefined) this.lost.add(s.path);
    }
    if (collected) this.forgottenCollected++;
  }

  stats(): TrackerStats {
    const byKind: TrackerStats['byKind'] = { app: 0, dependency: 0, internal: 0, agent: 0, eval: 0 };
    for (const s of this.byId.values()) byKind[s.kind]++;
    return {
      scripts: this.byId.size,
      byKind,
      anonymousEvals: this.anonymousEvals,
      forgottenEvals: this.forgottenEvals,
      forgottenCollected: this.forgottenCollected,
    };
  }

  private onParsed(e: ScriptParsedEvent): void {
    if (e.url === '') {
      this.anonymousEvals++;
      return;
    }
    const filePath = scriptUrlToPath(e.url);
    const kind = classifyScript(e.url, filePath);
    const script: TrackedScript = {
      scriptId: e.scriptId,
      url: e.url,
      path: filePath,
      hash: e.hash,
      sourceMapURL: e.sourceMapURL ? e.sourceMapURL : undefined,
      isModule: e.isModule === true,
      startLine: e.startLine,
      endLine: e.endLine,
      length: e.length ?? 0,
      backfilled: this.backfilling,
      kind,
    };
    this.byId.set(script.scriptId, script);
    const key = filePath ?? e.url;
    if (filePath !== undefined) this.lost.delete(filePath);
    let set = this.byPath.get(key);
    if (!set) this.byPath.set(key, (set = new Set()));
    set.add(script.scriptId);
    if (!this.backfilling) {
      if (this.fresh.size === 0) setImmediate(() => this.fresh.clear()).unref();
      this.fresh.add(script.scriptId);
    }
    if (kind === 'eval') {
      this.evalOrder.push(script.scriptId);
      if (this.evalOrder.length > MAX_EVAL_SCRIPTS) {
        this.forget(this.evalOrder.shift()!);
        this.forgottenEvals++;
      }
    }
    for (const listener of this.listeners) {
      try {
        listener(script);
      } catch {
        // A listener's failure must not stop code tracking.
      }
    }
  }
}
