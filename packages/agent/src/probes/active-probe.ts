/**
 * One installed probe version: its compiled condition, template and capture expressions, its
 * sampler, and what it does on a hit. Everything here runs inside a breakpoint condition on the
 * application's thread, so the order is: cheapest checks first, capture only when sampled.
 */
import { randomUUID } from 'node:crypto';
import type { CapturedContext, CapturedValue, EvaluationError, LogProbe, Probe, ProbeEvent } from '@periscope/protocol';
import { IntervalSampler, type WindowLimiter } from '../sampling/index.js';
import type { EventOutbox } from './outbox.js';
import { takeOverBudgetObject } from '../capture/index.js';
import type { Lookup } from '../runtime/hit-runtime.js';
import { NOT_IN_SCOPE } from '../runtime/hit-runtime.js';
import type { PendingStack } from '../runtime/stack.js';
import type { ProbeLanguage, CompiledCondition, CompiledTemplate, CompiledValue } from './language.js';

export interface HitSite {
  /** The original (or generated) file and 1-based line of the location. */
  file: string;
  line: number;
  functionName: string;
  args: readonly string[];
  locals: readonly string[];
  /** Generated → original names (minified code); names not in it are their own original. */
  originalNames: ReadonlyMap<string, string>;
  /** Original → generated names, for expressions written against the original source. */
  generatedNames: ReadonlyMap<string, string>;
}

export interface ProbeEnvironment {
  service: string;
  hostname: string;
  /** Takes finished events off the hit's path: sizing, pruning and serialising happen later. */
  outbox: EventOutbox;
  language: ProbeLanguage;
  globalSnapshotLimiter: WindowLimiter;
  captureTimeoutMs: number;
  /** Records the stack at the hit; the outbox formats it (source-mapped, innermost first) when the event leaves. */
  stack(): PendingStack;
  /** The active trace and span, when a tracer has one. */
  traceContext(): { trace_id: string; span_id: string } | undefined;
  /** Called once per version on the first emitted event. */
  onEmitting(probe: Probe): void;
}

/** A condition that throws reports at most once per probe in this window. */
const CONDITION_ERROR_WINDOW_MS = 60_000;

export class ActiveProbe {
  private readonly sampler: IntervalSampler;
  private readonly condition: CompiledCondition | undefined;
  private readonly template: CompiledTemplate | undefined;
  private readonly expressions: Array<{ name: string; value: CompiledValue; limits: LogProbe['limits'] }>;
  private readonly snapshotProducing: boolean;
  private readonly referenced: Set<string>;
  private emitted = false;
  private lastConditionErrorAt = -Infinity;
  /**
   * Set once a snapshot met an object too large to list within the capture budget: later hits
   * send the event without captures and with this error, as dd-trace-js does, because a new
   * object of that size at every hit would block the application again each time.
   */
  private snapshotsStopped: EvaluationError | undefined;

  /** Compiles everything up front: a compile error throws and the probe is never installed. */
  constructor(
    readonly probe: Probe,
    private readonly env: ProbeEnvironment,
  ) {
    if (probe.type !== 'LOG_PROBE') {
      throw new Error(`Unsupported probe type: ${probe.type} (id: ${probe.id}, version: ${probe.version})`);
    }
    if (probe.location.kind !== 'line') {
      throw new Error('Unsupported probe insertion point! Only line-based probes are supported');
    }
    const lang = env.language;
    this.referenced = new Set();
    this.condition = probe.when ? lang.compileCondition(probe.when, this.referenced) : undefined;
    this.template = probe.segments.length > 0 ? lang.compileTemplate(probe.segments, probe.template, this.referenced) : undefined;
    this.expressions = probe.captureExpressions.map((ce, i) => ({
      name: ce.name,
      value: lang.compileValue(ce.expr, this.referenced, `captureExpressions[${i}].expr.json`),
      limits: ce.limits,
    }));
    this.snapshotProducing = probe.captureSnapshot || this.expressions.length > 0;
    this.sampler = new IntervalSampler(probe.snapshotsPerSecond);
  }

  /** Variable names the probe's expressions read; the location's lookup must cover them. */
  get referencedNames(): ReadonlySet<string> {
    return this.referenced;
  }

  /**
   * When this probe next needs to see a hit: -Infinity when it needs every hit (it has a
   * condition, which must be evaluated each time), else the time its sampler allows the next one.
   */
  nextHitNeededAt(): number {
    return this.condition !== undefined ? -Infinity : this.sampler.nextAt;
  }

  /** Cheap, allocation-free: a probe without condition only wants sampled hits. */
  wants(t: number): boolean {
    return this.condition !== undefined || this.sampler.ready(t);
  }

  onHit(site: HitSite, thisValue: unknown, lookup: Lookup, t: number): void {
    const probe = this.probe as LogProbe;
    const scope = this.env.language.scope(thisValue, site.generatedNames.size === 0 ? lookup : (name) => lookup(site.generatedNames.get(name) ?? name));
    if (this.condition) {
      const r = this.condition.evaluate(scope);
      if (!r.ok) {
        if (t - this.lastConditionErrorAt >= CONDITION_ERROR_WINDOW_MS) {
          this.lastConditionErrorAt = t;
          // The message describes the failure (expression-language.md §6.2); the template was not rendered.
          this.emit(site, undefined, `Condition evaluation failed: ${r.error.message}`, [r.error], undefined);
        }
        return;
      }
      if (r.value !== true) return;
    }
    if (!this.sampler.tryTake(t)) return;
    if (this.snapshotProducing && !this.env.globalSnapshotLimiter.tryTake(t)) return;

    const deadline = performance.now() + this.env.captureTimeoutMs;
    const errors: EvaluationError[] = [];
    let message = probe.template;
    if (this.template) {
      const rendered = this.template.render(scope, deadline);
      message = rendered.message;
      errors.push(...rendered.errors);
    }
    let captures: CapturedContext | undefined;
    if (probe.captureSnapshot) {
      if (this.snapshotsStopped === undefined) captures = this.captureSnapshot(site, thisValue, lookup, deadline);
      if (this.snapshotsStopped !== undefined) errors.push(this.snapshotsStopped);
    } else if (this.expressions.length > 0) {
      const out: Record<string, CapturedValue> = {};
      for (const e of this.expressions) {
        const r = e.value.evaluate(scope);
        if (r.ok) out[e.name] = this.env.language.captureValue(r.value, e.name, e.limits, deadline);
        // A redacted result keeps its name and type, like a redacted variable; any other
        // failure drops this entry only (the others are still captured).
        else if (r.redacted !== undefined) out[e.name] = r.redacted;
        else errors.push({ expr: e.name, message: r.error.message });
      }
      captures = { captureExpressions: out };
    }
    this.emit(site, captures, message, errors, this.env.stack());
  }

  /** The frame's capture, and the probe's snapshots stopped when it met an over-budget object. */
  private captureSnapshot(site: HitSite, thisValue: unknown, lookup: Lookup, deadline: number): CapturedContext {
    takeOverBudgetObject(); // a report left by another capture is not this probe's
    const captures = this.captureFrame(site, thisValue, lookup, deadline);
    const large = takeOverBudgetObject();
    if (large !== undefined) {
      const budget = this.env.captureTimeoutMs;
      const took = Math.round(performance.now() - (deadline - budget));
      this.snapshotsStopped = {
        expr: '',
        message:
          `Snapshots stopped for this probe: an object with ${large.size} properties (type ${large.type}) could not be listed ` +
          `within the ${budget} ms capture budget (that snapshot took ${took} ms) and is reported as "timeout"; later snapshots ` +
          'of this probe are sent without captures until the probe is modified or the process restarts',
      };
    }
    return captures;
  }

  private captureFrame(site: HitSite, thisValue: unknown, lookup: Lookup, deadline: number): CapturedContext {
    const probe = this.probe as LogProbe;
    const args: Array<[string, unknown]> = [];
    // Sloppy-mode functions called plainly get the global object as `this`: not worth capturing.
    if (typeof thisValue === 'object' && thisValue !== null && thisValue !== globalThis) args.push(['this', thisValue]);
    for (const name of site.args) {
      const v = lookup(name);
      if (v !== NOT_IN_SCOPE) args.push([site.originalNames.get(name) ?? name, v]);
    }
    const locals: Array<[string, unknown]> = [];
    for (const name of site.locals) {
      const v = lookup(name);
      if (v !== NOT_IN_SCOPE) locals.push([site.originalNames.get(name) ?? name, v]);
    }
    const lang = this.env.language;
    return {
      arguments: lang.captureVariables(args, probe.limits, deadline),
      locals: lang.captureVariables(locals, probe.limits, deadline),
    };
  }

  private emit(
    site: HitSite,
    captures: CapturedContext | undefined,
    message: string,
    errors: EvaluationError[],
    stack: PendingStack | undefined,
  ): void {
    const probe = this.probe;
    const location = probe.location.kind === 'line' ? probe.location : undefined;
    const timestamp = Date.now();
    const trace = this.env.traceContext();
    const event: ProbeEvent = {
      ddsource: 'dd_debugger',
      service: this.env.service,
      hostname: this.env.hostname,
      message: this.env.language.truncateMessage(message),
      timestamp,
      logger: {
        name: location?.sourceFile ?? site.file,
        method: site.functionName,
        version: 2,
        thread_id: `pid:${process.pid}`,
        thread_name: 'MainThread',
      },
      ...(trace ? { dd: trace } : {}),
      debugger: {
        type: 'snapshot',
        snapshot: {
          id: randomUUID(),
          timestamp,
          language: 'javascript',
          probe: {
            id: probe.id,
            version: probe.version,
            location: { file: location?.sourceFile ?? site.file, lines: [String(location?.line ?? site.line)] },
          },
          ...(captures ? { captures: { lines: { [String(location?.line ?? site.line)]: captures } } } : {}),
          ...(errors.length > 0 ? { evaluationErrors: errors } : {}),
        },
      },
    };
    this.env.outbox.push(event, stack);
    if (!this.emitted) {
      this.emitted = true;
      this.env.onEmitting(probe);
    }
  }
}

