/**
 * The composition root: one inspector session, the code tracker, source maps, the hit runtime,
 * breakpoints and the probe lifecycle, wired once. Data flows one way:
 * config → probe model → install → hit → capture → sink.
 */
import { readFileSync } from 'node:fs';
import type { AgentConfig } from './config/settings.js';
import { InspectorCodeTracker } from './code-tracking/tracker.js';
import type { TrackedScript } from './code-tracking/types.js';
import { isAgentFile } from './code-tracking/classify.js';
import { InspectorSession } from './inspector/session.js';
import { SourceMapStore } from './source-maps/store.js';
import { HitRuntime } from './runtime/hit-runtime.js';
import { formatStack, recordStack, type FrameMapper } from './runtime/stack.js';
import { activeTraceContext } from './runtime/trace-context.js';
import { BreakpointTable } from './probes/breakpoints.js';
import { LocationResolver } from './probes/location-resolver.js';
import { ProbeManager, type ProbeInfo } from './probes/manager.js';
import { StatusReporter } from './probes/status.js';
import { createProbeLanguage } from './probes/language-impl.js';
import { EventOutbox } from './probes/outbox.js';
import { enableLinearRegexEngine } from './expression/index.js';
import { WindowLimiter } from './sampling/index.js';
import type { Sink } from './sink.js';
import { coverageReport, type CoverageReport } from './probes/coverage.js';


export interface DiagnosticsReport {
  runtimeId: string;
  scripts: ReturnType<InspectorCodeTracker['stats']>;
  sourceMaps: ReturnType<SourceMapStore['stats']>;
  runtime: ReturnType<HitRuntime['stats']> & { droppedEvents: number };
  breakpoints: number;
  probes: ProbeInfo[];
  /**
   * The sink's own counters, when it keeps any: for the HTTP transport an `HttpSinkStats`
   * (queued items and bytes against their caps, delivered, dropped by cause, failed uploads,
   * and whether events go to v2/input or the v1/diagnostics fallback). Absent otherwise.
   */
  transport?: unknown;
}

export class Agent {
  readonly session = new InspectorSession();
  readonly tracker: InspectorCodeTracker;
  readonly sourceMaps = new SourceMapStore();
  private readonly runtime = new HitRuntime();
  private readonly table: BreakpointTable;
  private readonly resolver: LocationResolver;
  private readonly statuses: StatusReporter;
  readonly probes: ProbeManager;
  private readonly outbox: EventOutbox;
  private started = false;
  private stopping: Promise<void> | undefined;
  private readonly disposers: Array<() => void> = [];
  /** Users of code tracking: dynamic instrumentation and the Symbol Database, each independently. */
  private trackingHolds = 0;
  private readonly trackingDisposers: Array<() => void> = [];

  constructor(
    readonly config: AgentConfig,
    readonly sink: Sink,
    /** What the process-wide `start()` attached to this agent (Remote Config, symbols, client). */
    private readonly companions: { beforeStop(): Promise<void>; afterStop(): void } = { beforeStop: async () => {}, afterStop: () => {} },
  ) {
    this.tracker = new InspectorCodeTracker(this.session);
    this.table = new BreakpointTable(this.session, this.runtime, {
      percent: config.probeCpuBudgetPercent,
      onOverBudget: (probes, usedMs, windowMs) => this.probes.disableOverBudget(probes, usedMs, windowMs, config.probeCpuBudgetPercent),
    });
    this.resolver = new LocationResolver(this.session, this.tracker, this.sourceMaps);
    this.statuses = new StatusReporter(
      sink,
      { service: config.service, runtimeId: config.runtimeId, parentId: process.env['PERISCOPE_PARENT_RUNTIME_ID'] ?? null },
      config.diagnosticsIntervalSeconds,
    );
    const mapper: FrameMapper = { map: (file, line, column) => this.mapFrame(file, line, column) };
    const language = createProbeLanguage(config);
    this.outbox = new EventOutbox(
      sink,
      (event) => language.fitEvent(event),
      (stack) => formatStack(stack, isAgentFile, mapper),
    );
    this.probes = new ProbeManager(this.tracker, this.resolver, this.table, this.statuses, {
      service: config.service,
      hostname: config.hostname,
      outbox: this.outbox,
      language,
      globalSnapshotLimiter: new WindowLimiter(config.globalSnapshotsPerSecond),
      captureTimeoutMs: config.captureTimeoutMs,
      // Frames from the runtime's entry point up are the agent's own.
      stack: () => recordStack(HitRuntime.prototype.h),
      traceContext: activeTraceContext,
    });
  }

  get isEnabled(): boolean {
    return this.started;
  }

  /** Enables code tracking (replaying already-loaded scripts) and installs the hit runtime. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.disposers.push(
      this.tracker.onScript((script) => this.probes.onScriptParsed(script)),
    );
    this.acquireTracking();
    this.runtime.install();
    enableLinearRegexEngine();
    if (this.config.probeFile) this.loadProbeFile(this.config.probeFile);
  }

  /**
   * Code tracking without probes (the Symbol Database needs the loaded scripts even while dynamic
   * instrumentation is off). Returns the release function; tracking stops with its last user.
   */
  holdCodeTracking(): () => void {
    this.acquireTracking();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.releaseTracking();
    };
  }

  private acquireTracking(): void {
    if (this.trackingHolds++ > 0) return;
    this.session.connect();
    // The agent never leaves the application paused: a `debugger;` statement resumes at once.
    this.trackingDisposers.push(this.session.on('Debugger.paused', () => this.session.tryPost('Debugger.resume')));
    this.tracker.start();
  }

  private releaseTracking(): void {
    if (this.trackingHolds === 0 || --this.trackingHolds > 0) return;
    for (const d of this.trackingDisposers.splice(0)) d();
    this.tracker.stop();
    this.session.tryPost('Debugger.disable');
    this.session.disconnect();
  }

  addProbe(json: unknown): ProbeInfo | undefined {
    return this.probes.add(json);
  }

  removeProbe(id: string): boolean {
    return this.probes.remove(id);
  }

  diagnostics(): DiagnosticsReport {
    return {
      runtimeId: this.config.runtimeId,
      scripts: this.tracker.stats(),
      sourceMaps: this.sourceMaps.stats(),
      runtime: { ...this.runtime.stats(), droppedEvents: this.outbox.dropped },
      breakpoints: this.table.size,
      probes: this.probes.list(),
      ...this.transportStats(),
    };
  }

  /** A custom sink's `stats()` may throw: the report then leaves the field out rather than fail. */
  private transportStats(): { transport?: unknown } {
    try {
      const stats = this.sink.stats?.();
      return stats === undefined ? {} : { transport: stats };
    } catch {
      return {};
    }
  }

  /** Per-file targeting coverage of the loaded application code. */
  coverage(): CoverageReport {
    return coverageReport(this.tracker, this.sourceMaps, this.resolver, this.config.appRoot);
  }

  /**
   * Removes every probe and turns the debugger off (dynamic instrumentation disabled at runtime),
   * unless the Symbol Database still holds code tracking; `start()` turns it back on.
   */
  disable(): void {
    if (!this.started) return;
    this.started = false;
    this.probes.clear();
    this.table.clear();
    for (const d of this.disposers.splice(0)) d();
    this.releaseTracking();
    this.runtime.uninstall();
  }

  /**
   * Stops everything `start()` started for this agent (Remote Config polling, symbol uploads),
   * disables, then flushes and closes the sink. A later `start()` creates a new agent.
   */
  async stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      await this.companions.beforeStop();
      this.disable();
      this.outbox.drain();
      this.statuses.close();
      await this.sink.close();
      this.companions.afterStop();
    })();
    return this.stopping;
  }

  private loadProbeFile(file: string): void {
    let probes: unknown;
    try {
      probes = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      process.emitWarning(`Periscope: cannot read probe file ${file}: ${(err as Error).message}`);
      return;
    }
    if (!Array.isArray(probes)) {
      process.emitWarning(`Periscope: probe file ${file} must hold a JSON array of probes`);
      return;
    }
    for (const p of probes) this.probes.add(p);
  }

  private readonly frameScripts = new Map<string, TrackedScript | null>();

  private mapFrame(file: string, line: number, column: number) {
    let script = this.frameScripts.get(file);
    if (script === undefined) {
      script = this.tracker.byFilePath(file).find((s) => s.sourceMapURL) ?? null;
      if (this.frameScripts.size > 1000) this.frameScripts.clear();
      this.frameScripts.set(file, script);
    }
    if (!script) return undefined;
    const map = this.sourceMaps.mapFor(script);
    const o = map?.originalPosition({ line: line - 1, column: column - 1 });
    if (!o) return undefined;
    return { fileName: o.source, lineNumber: o.line, columnNumber: o.column + 1 };
  }
}
