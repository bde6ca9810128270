/**
 * Probe lifecycle: receive → validate and compile → resolve → install, or stay pending until the
 * file loads, or fail with one precise reason. Exactly one of INSTALLED or ERROR is sent per
 * version. New scripts (the hot-load hook) install pending probes and extend installed probes
 * to re-evaluated copies of their file.
 */
import { ProbeParseError, parseProbe, type Probe } from '@periscope/protocol';
import type { InspectorCodeTracker } from '../code-tracking/tracker.js';
import type { TrackedScript } from '../code-tracking/types.js';
import { ActiveProbe, type ProbeEnvironment } from './active-probe.js';
import type { BreakpointTable } from './breakpoints.js';
import type { LocationResolver, ResolvedTarget } from './location-resolver.js';
import { baseNameKey } from './path-match.js';
import type { StatusReporter } from './status.js';

export type ProbeState =
  /** `topLevel`: the location is load-time code (module top level or a wrapper run once at load). */
  | { state: 'installed'; path: string; locations: Array<{ file: string; line: number; scriptId: string; topLevel: boolean }> }
  | { state: 'pending'; reason: string }
  | { state: 'error'; message: string };

interface Entry {
  probe: Probe;
  active: ActiveProbe | undefined;
  state: ProbeState;
  /** The resolved file path once known, so that new copies of it get the probe too. */
  path: string | undefined;
}

export interface ProbeInfo {
  id: string;
  version: number;
  type: string;
  where: string;
  state: ProbeState;
}

export class ProbeManager {
  private readonly probes = new Map<string, Entry>();

  constructor(
    private readonly tracker: InspectorCodeTracker,
    private readonly resolver: LocationResolver,
    private readonly table: BreakpointTable,
    private readonly statuses: StatusReporter,
    private readonly env: Omit<ProbeEnvironment, 'onEmitting'>,
  ) {}

  /** Adds or replaces (by id) a probe from its JSON. Never throws: problems become statuses. */
  add(raw: unknown): ProbeInfo | undefined {
    let probe: Probe;
    try {
      probe = parseProbe(raw);
    } catch (err) {
      const e = err as ProbeParseError;
      if (e.probeId !== undefined) {
        this.remove(e.probeId);
        this.statuses.report(e.probeId, e.probeVersion, 'RECEIVED');
        this.statuses.report(e.probeId, e.probeVersion, 'ERROR', `Instrumentation for probe ${e.probeId} failed: ${e.message}`, {
          type: 'ProbeParseError',
          message: e.message,
        });
      }
      return undefined;
    }
    const previous = this.probes.get(probe.id);
    if (previous && previous.probe.version === probe.version && JSON.stringify(previous.probe) === JSON.stringify(probe)) {
      return this.info(previous);
    }
    if (previous) this.uninstall(previous);
    this.statuses.report(probe.id, probe.version, 'RECEIVED');
    const entry: Entry = { probe, active: undefined, state: { state: 'pending', reason: 'not resolved yet' }, path: undefined };
    this.probes.set(probe.id, entry);
    try {
      entry.active = new ActiveProbe(probe, { ...this.env, onEmitting: (p) => this.onEmitting(p) });
    } catch (err) {
      this.fail(entry, (err as Error).message, err as Error);
      return this.info(entry);
    }
    this.install(entry);
    return this.info(entry);
  }

  remove(probeId: string): boolean {
    const entry = this.probes.get(probeId);
    if (!entry) return false;
    this.uninstall(entry);
    this.probes.delete(probeId);
    this.statuses.forget(probeId);
    return true;
  }

  get(probeId: string): ProbeInfo | undefined {
    const e = this.probes.get(probeId);
    return e ? this.info(e) : undefined;
  }

  list(): ProbeInfo[] {
    return [...this.probes.values()].map((e) => this.info(e));
  }

  clear(): void {
    for (const id of [...this.probes.keys()]) this.remove(id);
  }

  /**
   * The hot-load hook: a newly parsed script may be what a pending or installed probe targets.
   * Only probes whose sourceFile has the base name of the script's path or of one of its mapped
   * sources can match it (see path-match.ts); the others are not resolved again, so loading N
   * files with a pending probe costs N small checks, not N searches of everything loaded.
   */
  onScriptParsed(script: TrackedScript): void {
    if (script.kind === 'agent' || script.kind === 'internal') return;
    let names: Set<string> | undefined;
    for (const entry of this.probes.values()) {
      if (!entry.active || entry.probe.location.kind !== 'line') continue;
      const state = entry.state.state;
      if (state !== 'pending' && !(state === 'installed' && entry.path !== undefined)) continue;
      names ??= this.resolver.baseNamesOf(script);
      if (!names.has(baseNameKey(entry.probe.location.sourceFile))) continue;
      if (state === 'pending') {
        this.install(entry);
      } else if (this.resolver.matchesBetter(script, entry.probe.location.sourceFile, entry.path!)) {
        this.retarget(entry);
      } else {
        const r = this.resolver.resolveInScript(script, entry.path!, entry.probe.location.line);
        if (r !== undefined && typeof r !== 'string') this.attachAll(entry, [r], false);
      }
    }
  }

  private install(entry: Entry): void {
    const probe = entry.probe;
    if (probe.location.kind !== 'line' || !entry.active) return;
    const resolution = this.resolver.resolveLine(probe.location.sourceFile, probe.location.line);
    if (resolution.kind === 'pending') {
      entry.state = { state: 'pending', reason: resolution.reason };
      return;
    }
    if (resolution.kind === 'error') {
      this.fail(entry, resolution.message);
      return;
    }
    entry.path = resolution.path;
    this.attachAll(entry, resolution.targets, true);
  }

  private attachAll(entry: Entry, targets: ResolvedTarget[], firstInstall: boolean): void {
    const active = entry.active!;
    const errors: string[] = [];
    const installed = entry.state.state === 'installed' ? [...entry.state.locations] : [];
    for (const t of targets) {
      const r = this.table.attach(t, active);
      if (r.ok) {
        installed.push({ file: t.file, line: t.line, scriptId: t.script.scriptId, topLevel: t.scope.loadTime });
      } else if (r.collected) {
        this.tracker.forget(t.script.scriptId, true);
      } else {
        errors.push(r.error);
      }
    }
    if (installed.length === 0) {
      if (errors.length > 0) this.fail(entry, errors[0]!);
      else entry.state = { state: 'pending', reason: `No live script for ${entry.path}` };
      return;
    }
    entry.state = { state: 'installed', path: entry.path!, locations: installed };
    if (!firstInstall && this.statuses.statusOf(entry.probe.id)?.status !== 'RECEIVED') return;
    const probe = entry.probe;
    const loc = probe.location.kind === 'line' ? probe.location : undefined;
    const topLevel = installed.every((l) => l.topLevel);
    const alreadyRan = topLevel && targets.every((t) => t.script.backfilled || !this.tracker.isFresh(t.script.scriptId));
    const message = alreadyRan
      ? `Probe ${probe.id} is installed on ${loc?.sourceFile}:${loc?.line}, which is module top-level code that already executed when the module loaded; it will not fire unless that module is evaluated again`
      : undefined;
    this.statuses.report(probe.id, probe.version, 'INSTALLED', message);
  }

  /**
   * A script that matches the probe's sourceFile better than the file it is installed on has
   * loaded (the application's lib/util.js after node_modules/pkg/lib/util.js, or a longer suffix:
   * pkg/lib/util.js after the app's lib/util.js). Without this the target depended on load order:
   * the probe stayed on whichever file loaded first. Resolve again as if the probe arrived now;
   * the status stays INSTALLED/EMITTING on a move, or becomes ERROR when the better file cannot
   * take it (the outcome a fresh start would report).
   */
  private retarget(entry: Entry): void {
    const loc = entry.probe.location;
    if (loc.kind !== 'line') return;
    const r = this.resolver.resolveLine(loc.sourceFile, loc.line);
    if (r.kind === 'pending' || (r.kind === 'resolved' && r.path === entry.path)) return;
    const previous = entry.path;
    this.uninstall(entry);
    if (r.kind === 'error') {
      this.fail(entry, `${r.message} (${loc.sourceFile} matched ${previous} until a better-matching file loaded)`);
      return;
    }
    entry.path = r.path;
    entry.state = { state: 'pending', reason: `moving from ${previous} to ${r.path}` };
    this.attachAll(entry, r.targets, false);
  }

  private uninstall(entry: Entry): void {
    if (entry.active) this.table.detach(entry.active);
  }

  private fail(entry: Entry, message: string, err?: Error): void {
    if (entry.active) this.table.detach(entry.active);
    entry.state = { state: 'error', message };
    const probe = entry.probe;
    this.statuses.report(probe.id, probe.version, 'ERROR', `Instrumentation for probe ${probe.id} failed: ${message}`, {
      type: err?.name ?? 'Error',
      message,
    });
  }

  /** The CPU circuit breaker: these probes' location cost the application too much. */
  disableOverBudget(probes: readonly ActiveProbe[], usedMs: number, windowMs: number, percent: number): void {
    for (const active of probes) {
      const entry = this.probes.get(active.probe.id);
      if (!entry || entry.active !== active) continue;
      this.fail(
        entry,
        `Probe ${active.probe.id} was disabled because its location cost the application about ${Math.round(usedMs)} ms of CPU ` +
          `in ${windowMs / 1000} s (budget ${percent}% of a core); narrow its condition, lower its rate, or raise PERISCOPE_PROBE_CPU_BUDGET_PERCENT`,
      );
    }
  }

  private onEmitting(probe: Probe): void {
    const current = this.probes.get(probe.id);
    if (current?.probe !== probe) return;
    // Statuses leave the hot path: the sink only queues.
    this.statuses.report(probe.id, probe.version, 'EMITTING');
  }

  private info(e: Entry): ProbeInfo {
    const loc = e.probe.location;
    return {
      id: e.probe.id,
      version: e.probe.version,
      type: e.probe.type,
      where: loc.kind === 'line' ? `${loc.sourceFile}:${loc.line}` : `${loc.typeName ?? ''}.${loc.methodName}`,
      state: e.state,
    };
  }
}
