/**
 * One V8 breakpoint per code location, shared by every probe there. Adding or removing a probe
 * re-sets the location's breakpoint with a condition covering the union of the names they read;
 * the inspector session is synchronous, so no hit can fall between the remove and the set.
 */
import type { InspectorSession } from '../inspector/session.js';
import { buildCondition, type HitRuntime, type LocationHandler, type Lookup, type ReadFrame } from '../runtime/hit-runtime.js';
import type { ActiveProbe, HitSite } from './active-probe.js';
import { FrameReader } from './frame-reader.js';
import type { ResolvedTarget } from './location-resolver.js';

interface LocationEntry extends LocationHandler {
  key: string;
  runtimeId: number;
  breakpointId: string | undefined;
  /** Set while the breakpoint is removed because every probe here is sampled out. */
  rearmTimer: NodeJS.Timeout | undefined;
  disarmScheduled: boolean;
  /** CPU accounting for the circuit breaker: the current window's start and estimated cost (ms). */
  budgetWindowStart: number;
  budgetUsedMs: number;
  overBudget: boolean;
  condition: string;
  frame: FrameReader;
  probes: ActiveProbe[];
  site: HitSite;
  target: ResolvedTarget;
}

/** Probes evaluated per hit at one location at most (as dd-trace-js). */
const MAX_PROBES_PER_HIT = 256;

/**
 * A location whose probes cannot sample for at least this long loses its V8 breakpoint until
 * they can. Even a condition that returns false at once costs tens of microseconds (far more
 * when hits are spread out), so a 1-snapshot-per-second probe on a hot path would otherwise
 * pay that on every request; disarmed, it pays it about once a second.
 */
const MIN_DISARM_MS = 20;

/** The circuit breaker's window. */
const BUDGET_WINDOW_MS = 10_000;
/**
 * What V8 spends per evaluated condition before our code runs (measured here: 35–60 µs in a tight
 * loop, far more for spread-out hits); it cannot be timed from inside, so it is estimated.
 */
const ESTIMATED_CONDITION_MS = 0.04;

export interface CpuBudget {
  /** Share of one core a location may cost over the window; 0 turns the breaker off. */
  percent: number;
  /** Called once, outside the break context, with the probes of a location over budget. */
  onOverBudget(probes: readonly ActiveProbe[], usedMs: number, windowMs: number): void;
}

export type AttachResult = { ok: true; actualLine: number } | { ok: false; error: string; collected?: boolean };

export class BreakpointTable {
  private readonly entries = new Map<string, LocationEntry>();

  private readonly budgetMs: number;

  constructor(
    private readonly session: InspectorSession,
    private readonly runtime: HitRuntime,
    private readonly budget?: CpuBudget,
  ) {
    this.budgetMs = budget && budget.percent > 0 ? (budget.percent / 100) * BUDGET_WINDOW_MS : Infinity;
  }

  attach(target: ResolvedTarget, probe: ActiveProbe): AttachResult {
    const key = `${target.script.scriptId}:${target.lineNumber}:${target.columnNumber}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = this.createEntry(key, target);
      this.entries.set(key, entry);
    }
    if (!entry.probes.includes(probe)) entry.probes.push(probe);
    const r = this.apply(entry);
    if (!r.ok) this.detachFrom(entry, probe);
    return r;
  }

  /** Removes the probe from every location; empty locations lose their breakpoint. */
  detach(probe: ActiveProbe): void {
    for (const entry of [...this.entries.values()]) this.detachFrom(entry, probe);
  }

  /** Locations a probe is installed at. */
  locationsOf(probe: ActiveProbe): ResolvedTarget[] {
    return [...this.entries.values()].filter((e) => e.probes.includes(probe)).map((e) => e.target);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    for (const entry of this.entries.values()) {
      this.cancelRearm(entry);
      if (entry.breakpointId) this.session.tryPost('Debugger.removeBreakpoint', { breakpointId: entry.breakpointId });
      this.runtime.unregister(entry.runtimeId);
    }
    this.entries.clear();
  }

  private detachFrom(entry: LocationEntry, probe: ActiveProbe): void {
    const i = entry.probes.indexOf(probe);
    if (i < 0) return;
    entry.probes.splice(i, 1);
    if (entry.probes.length === 0) {
      this.cancelRearm(entry);
      if (entry.breakpointId) this.session.tryPost('Debugger.removeBreakpoint', { breakpointId: entry.breakpointId });
      this.runtime.unregister(entry.runtimeId);
      this.entries.delete(entry.key);
    } else {
      this.apply(entry);
    }
  }

  private createEntry(key: string, target: ResolvedTarget): LocationEntry {
    const site: HitSite = {
      file: target.file,
      line: target.line,
      functionName: target.scope.functionName,
      args: target.scope.args,
      locals: target.scope.locals,
      originalNames: target.originalNames,
      generatedNames: new Map([...target.originalNames].map(([g, o]) => [o, g])),
    };
    const table = this;
    const entry: LocationEntry = {
      key,
      runtimeId: 0,
      breakpointId: undefined,
      rearmTimer: undefined,
      disarmScheduled: false,
      budgetWindowStart: -Infinity,
      budgetUsedMs: 0,
      overBudget: false,
      condition: '',
      // Names dropped at a hit: the condition is rebuilt after it (a condition cannot re-set its own breakpoint).
      frame: new FrameReader(target.scope, () =>
        setImmediate(() => {
          if (this.entries.get(key) === entry && entry.breakpointId !== undefined) this.apply(entry);
        }),
      ),
      probes: [],
      site,
      target,
      wants(): boolean {
        const t = performance.now();
        table.account(entry, t, ESTIMATED_CONDITION_MS);
        for (const p of entry.probes) if (p.wants(t)) return true;
        table.scheduleDisarm(entry);
        return false;
      },
      hit(thisValue: unknown, read: ReadFrame, readOne: Lookup): void {
        const t = performance.now();
        const lookup = entry.frame.lookup(read, readOne);
        const probes = entry.probes;
        const n = Math.min(probes.length, MAX_PROBES_PER_HIT);
        for (let i = 0; i < n; i++) {
          try {
            probes[i]!.onHit(site, thisValue, lookup, t);
          } catch {
            // One probe's failure must not affect the others or the application.
          }
        }
        const end = performance.now();
        table.account(entry, end, end - t);
        table.scheduleDisarm(entry);
      },
    };
    entry.runtimeId = this.runtime.register(entry);
    return entry;
  }

  /** Adds to a location's estimated CPU cost; over budget, its probes are disabled (next turn). */
  private account(entry: LocationEntry, now: number, ms: number): void {
    if (now - entry.budgetWindowStart >= BUDGET_WINDOW_MS) {
      entry.budgetWindowStart = now;
      entry.budgetUsedMs = 0;
    }
    entry.budgetUsedMs += ms;
    if (entry.budgetUsedMs <= this.budgetMs || entry.overBudget) return;
    entry.overBudget = true;
    const used = entry.budgetUsedMs;
    setImmediate(() => {
      if (this.entries.get(entry.key) === entry) this.budget?.onOverBudget([...entry.probes], used, BUDGET_WINDOW_MS);
    });
  }

  /** After the current hit, outside the debugger's break context: disarm if nothing can sample soon. */
  private scheduleDisarm(entry: LocationEntry): void {
    if (entry.disarmScheduled || entry.breakpointId === undefined) return;
    entry.disarmScheduled = true;
    setImmediate(() => {
      entry.disarmScheduled = false;
      this.disarmIfIdle(entry);
    }).unref();
  }

  private disarmIfIdle(entry: LocationEntry): void {
    if (this.entries.get(entry.key) !== entry || entry.breakpointId === undefined) return;
    let next = Infinity;
    for (const p of entry.probes) next = Math.min(next, p.nextHitNeededAt());
    const wait = next - performance.now();
    if (!(wait >= MIN_DISARM_MS)) return;
    this.session.tryPost('Debugger.removeBreakpoint', { breakpointId: entry.breakpointId });
    entry.breakpointId = undefined;
    entry.condition = '';
    entry.rearmTimer = setTimeout(() => {
      entry.rearmTimer = undefined;
      if (this.entries.get(entry.key) === entry) this.apply(entry);
    }, Math.min(wait, 2 ** 31 - 1));
    entry.rearmTimer.unref();
  }

  private cancelRearm(entry: LocationEntry): void {
    if (entry.rearmTimer) clearTimeout(entry.rearmTimer);
    entry.rearmTimer = undefined;
  }

  private apply(entry: LocationEntry): AttachResult {
    this.cancelRearm(entry);
    const referenced: string[] = [];
    for (const p of entry.probes) for (const n of p.referencedNames) referenced.push(entry.site.generatedNames.get(n) ?? n);
    const condition = buildCondition(entry.runtimeId, entry.frame.update(referenced));
    if (condition === entry.condition && entry.breakpointId) return { ok: true, actualLine: entry.target.lineNumber };
    if (entry.breakpointId) {
      this.session.tryPost('Debugger.removeBreakpoint', { breakpointId: entry.breakpointId });
      entry.breakpointId = undefined;
    }
    try {
      const r = this.session.post<{ breakpointId: string; actualLocation: { lineNumber: number; columnNumber: number } }>(
        'Debugger.setBreakpoint',
        {
          location: { scriptId: entry.target.script.scriptId, lineNumber: entry.target.lineNumber, columnNumber: entry.target.columnNumber },
          condition,
        },
      );
      entry.breakpointId = r.breakpointId;
      entry.condition = condition;
      if (r.actualLocation.lineNumber !== entry.target.lineNumber) {
        // V8 moved it: never silently probe another line.
        this.session.tryPost('Debugger.removeBreakpoint', { breakpointId: r.breakpointId });
        entry.breakpointId = undefined;
        return {
          ok: false,
          error: `V8 would place this probe on generated line ${r.actualLocation.lineNumber + 1} instead of ${entry.target.lineNumber + 1}`,
        };
      }
      return { ok: true, actualLine: r.actualLocation.lineNumber };
    } catch (err) {
      const message = (err as Error).message;
      const collected = /no script|not found|Invalid script/i.test(message);
      return { ok: false, error: `Error setting breakpoint: ${message}`, collected };
    }
  }
}
