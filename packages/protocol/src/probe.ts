/**
 * Probe definitions as they arrive over Remote Config (`LIVE_DEBUGGING`) or from the probe file.
 * See shared/reference/probes.md. Parsing is lenient where real payloads are odd (unknown keys,
 * string line numbers, null fields) and strict where a wrong guess would mislead (bad lines,
 * contradictory capture settings, zero sampling).
 */

/** An expression as sent by the backend: `json` is evaluated, `dsl` is display text. */
export interface Expression {
  dsl: string;
  json: unknown;
}

export interface CaptureLimits {
  maxReferenceDepth: number;
  maxCollectionSize: number;
  maxFieldCount: number;
  maxLength: number;
}

export const DEFAULT_CAPTURE_LIMITS: Readonly<CaptureLimits> = Object.freeze({
  maxReferenceDepth: 3,
  maxCollectionSize: 100,
  maxFieldCount: 20,
  maxLength: 255,
});

export type ProbeType = 'LOG_PROBE' | 'METRIC_PROBE' | 'SPAN_PROBE' | 'SPAN_DECORATION_PROBE';

export interface LineLocation {
  kind: 'line';
  /** The file as received (relative or partial path; `.ts` for TypeScript). */
  sourceFile: string;
  /** 1-based line. Only `lines[0]` is used, as every tracer does. */
  line: number;
}

export interface MethodLocation {
  kind: 'method';
  typeName: string | null;
  methodName: string;
  sourceFile: string | null;
}

export type ProbeLocation = LineLocation | MethodLocation;

export type TemplateSegment = { str: string } | { expr: Expression };

export interface CaptureExpression {
  name: string;
  expr: Expression;
  /** Limits for this expression: its own `capture`, then the probe's, then defaults. */
  limits: CaptureLimits;
}

interface ProbeCommon {
  id: string;
  version: number;
  location: ProbeLocation;
  tags: string[];
  when: Expression | null;
  evaluateAt: 'ENTRY' | 'EXIT' | 'DEFAULT';
}

export interface LogProbe extends ProbeCommon {
  type: 'LOG_PROBE';
  template: string;
  segments: TemplateSegment[];
  captureSnapshot: boolean;
  limits: CaptureLimits;
  captureExpressions: CaptureExpression[];
  /** Snapshots (or log lines) per second for this probe. */
  snapshotsPerSecond: number;
}

export interface MetricProbe extends ProbeCommon {
  type: 'METRIC_PROBE';
  kind: 'COUNT' | 'GAUGE' | 'HISTOGRAM' | 'DISTRIBUTION';
  metricName: string;
  value: Expression | null;
}

export interface SpanDecorationProbe extends ProbeCommon {
  type: 'SPAN_DECORATION_PROBE';
  targetSpan: 'ACTIVE' | 'ROOT';
  decorations: Array<{
    when: Expression | null;
    tags: Array<{ name: string; template: string; segments: TemplateSegment[] }>;
  }>;
}

export interface SpanProbe extends ProbeCommon {
  type: 'SPAN_PROBE';
}

export type Probe = LogProbe | MetricProbe | SpanDecorationProbe | SpanProbe;

/** Sampling defaults from the reference: 1/s with a snapshot or expressions, 5000/s for plain logs. */
export const SNAPSHOT_PROBE_RATE = 1;
export const LOG_PROBE_RATE = 5000;
export const GLOBAL_SNAPSHOT_RATE = 25;

export class ProbeParseError extends Error {
  override readonly name = 'ProbeParseError';
  constructor(
    message: string,
    /** The probe id when it could be read, so that an ERROR status can still be sent. */
    readonly probeId: string | undefined,
    readonly probeVersion: number,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function parseExpression(v: unknown, where: string, fail: (m: string) => never): Expression | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) fail(`${where} must be an object with "json" (and optionally "dsl")`);
  if (!('json' in v)) fail(`${where} has no "json" expression`);
  return { dsl: typeof v['dsl'] === 'string' ? v['dsl'] : '', json: v['json'] };
}

function parseLimits(v: unknown, base: CaptureLimits, where: string, fail: (m: string) => never): CaptureLimits {
  if (v === undefined || v === null) return { ...base };
  if (!isObject(v)) fail(`${where} must be an object`);
  const out = { ...base };
  for (const key of Object.keys(DEFAULT_CAPTURE_LIMITS) as Array<keyof CaptureLimits>) {
    const raw = v[key];
    if (raw === undefined || raw === null) continue;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) {
      fail(`${where}.${key} must be a non-negative integer, got ${JSON.stringify(raw)}`);
    }
    out[key] = raw;
  }
  return out;
}

function parseSegments(v: unknown, where: string, fail: (m: string) => never): TemplateSegment[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${where} must be an array`);
  return v.map((seg, i): TemplateSegment => {
    if (!isObject(seg)) fail(`${where}[${i}] must be an object`);
    if (typeof seg['str'] === 'string') return { str: seg['str'] };
    const expr = parseExpression(seg, `${where}[${i}]`, fail);
    if (!expr) fail(`${where}[${i}] has neither "str" nor "json"`);
    return { expr };
  });
}

/** Parses a line number that may arrive as `"42"` or `42`; anything else is an error. */
function parseLine(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  if (typeof v === 'string' && /^\s*[0-9]+\s*$/.test(v)) {
    const n = Number.parseInt(v, 10);
    return n > 0 ? n : null;
  }
  return null;
}

/**
 * Turns one probe JSON object into the typed model, or throws {@link ProbeParseError} with a
 * message fit for a diagnostics ERROR status.
 */
export function parseProbe(input: unknown): Probe {
  const id = isObject(input) && typeof input['id'] === 'string' ? input['id'] : undefined;
  const rawVersion = isObject(input) ? input['version'] : undefined;
  const version = typeof rawVersion === 'number' && Number.isFinite(rawVersion) ? rawVersion : 0;
  const fail = (message: string): never => {
    throw new ProbeParseError(message, id, version);
  };
  if (!isObject(input)) fail('Probe must be a JSON object');
  const p = input as Json;
  if (id === undefined || id === '') fail('Probe has no "id"');
  const type = p['type'];
  if (type !== 'LOG_PROBE' && type !== 'METRIC_PROBE' && type !== 'SPAN_PROBE' && type !== 'SPAN_DECORATION_PROBE') {
    fail(`Unsupported probe type: ${String(type)} (id: ${id}, version: ${version})`);
  }

  const where = p['where'];
  if (!isObject(where)) fail('Probe has no "where" location');
  const w = where as Json;
  let location: ProbeLocation;
  const sourceFile = optString(w['sourceFile']);
  if (Array.isArray(w['lines']) && w['lines'].length > 0) {
    const line = parseLine(w['lines'][0]);
    if (line === null) fail(`Invalid line ${JSON.stringify(w['lines'][0])}: lines must be positive integers`);
    if (!sourceFile) fail('Line probe has no "sourceFile"');
    location = { kind: 'line', sourceFile: sourceFile!, line: line! };
  } else if (typeof w['methodName'] === 'string' || typeof w['method'] === 'string') {
    location = {
      kind: 'method',
      typeName: optString(w['typeName']) ?? optString(w['type']),
      methodName: (optString(w['methodName']) ?? optString(w['method']))!,
      sourceFile,
    };
  } else {
    fail('Probe location has neither "lines" nor "methodName"');
  }

  const tags = Array.isArray(p['tags']) ? p['tags'].filter((t): t is string => typeof t === 'string') : [];
  const evaluateAtRaw = p['evaluateAt'];
  const evaluateAt = evaluateAtRaw === 'ENTRY' || evaluateAtRaw === 'EXIT' ? evaluateAtRaw : 'DEFAULT';
  const common: ProbeCommon = {
    id: id!,
    version,
    location: location!,
    tags,
    when: parseExpression(p['when'], 'when', fail),
    evaluateAt,
  };

  switch (type) {
    case 'LOG_PROBE': {
      const limits = parseLimits(p['capture'], DEFAULT_CAPTURE_LIMITS, 'capture', fail);
      const rawExprs = p['captureExpressions'];
      if (rawExprs !== undefined && rawExprs !== null && !Array.isArray(rawExprs)) fail('captureExpressions must be an array');
      const captureExpressions = ((rawExprs as unknown[] | null | undefined) ?? []).map((ce, i): CaptureExpression => {
        if (!isObject(ce) || typeof ce['name'] !== 'string' || ce['name'] === '') {
          fail(`captureExpressions[${i}] needs a non-empty "name"`);
        }
        const c = ce as Json;
        const expr = parseExpression(c['expr'], `captureExpressions[${i}].expr`, fail);
        if (!expr) fail(`captureExpressions[${i}] has no "expr"`);
        return { name: c['name'] as string, expr: expr!, limits: parseLimits(c['capture'], limits, `captureExpressions[${i}].capture`, fail) };
      });
      const captureSnapshot = p['captureSnapshot'] === true;
      if (captureSnapshot && captureExpressions.length > 0) {
        fail('Cannot set both captureSnapshot and captureExpressions');
      }
      const sampling = p['sampling'];
      let rate = captureSnapshot || captureExpressions.length > 0 ? SNAPSHOT_PROBE_RATE : LOG_PROBE_RATE;
      if (isObject(sampling) && sampling['snapshotsPerSecond'] !== undefined && sampling['snapshotsPerSecond'] !== null) {
        const r = sampling['snapshotsPerSecond'];
        if (typeof r !== 'number' || !Number.isFinite(r) || r <= 0) {
          fail(`sampling.snapshotsPerSecond must be a positive number, got ${JSON.stringify(r)}`);
        }
        rate = r as number;
      }
      return {
        ...common,
        type,
        template: optString(p['template']) ?? '',
        segments: parseSegments(p['segments'], 'segments', fail),
        captureSnapshot,
        limits,
        captureExpressions,
        snapshotsPerSecond: rate,
      };
    }
    case 'METRIC_PROBE': {
      const kind = p['kind'];
      if (kind !== 'COUNT' && kind !== 'GAUGE' && kind !== 'HISTOGRAM' && kind !== 'DISTRIBUTION') {
        fail(`Unsupported metric kind: ${String(kind)}`);
      }
      if (typeof p['metricName'] !== 'string' || p['metricName'] === '') fail('Metric probe has no "metricName"');
      return {
        ...common,
        type,
        kind: kind as MetricProbe['kind'],
        metricName: p['metricName'] as string,
        value: parseExpression(p['value'], 'value', fail),
      };
    }
    case 'SPAN_DECORATION_PROBE': {
      const decorations = Array.isArray(p['decorations']) ? p['decorations'] : [];
      return {
        ...common,
        type,
        targetSpan: p['targetSpan'] === 'ROOT' ? 'ROOT' : 'ACTIVE',
        decorations: decorations.map((d, i) => {
          if (!isObject(d)) fail(`decorations[${i}] must be an object`);
          const dd = d as Json;
          const tagList = Array.isArray(dd['tags']) ? dd['tags'] : [];
          return {
            when: parseExpression(dd['when'], `decorations[${i}].when`, fail),
            tags: tagList.map((t, j) => {
              if (!isObject(t) || typeof t['name'] !== 'string') fail(`decorations[${i}].tags[${j}] needs a "name"`);
              const tt = t as Json;
              const value = isObject(tt['value']) ? tt['value'] : {};
              return {
                name: tt['name'] as string,
                template: optString(value['template']) ?? '',
                segments: parseSegments(value['segments'], `decorations[${i}].tags[${j}].value.segments`, fail),
              };
            }),
          };
        }),
      };
    }
    case 'SPAN_PROBE':
      return { ...common, type };
  }
  return fail('unreachable');
}
