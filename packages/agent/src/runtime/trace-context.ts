/**
 * The active trace and span ids, when dd-trace or OpenTelemetry has one. This calls into the
 * tracer library (not application code) and never throws.
 */

const OTEL_API_KEY = Symbol.for('opentelemetry.js.api.1');
const OTEL_SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

/** dd-trace-js sends the lower 64 bits as decimal strings. */
function hexToDecimal(hex: string): string | undefined {
  if (!/^[0-9a-f]+$/i.test(hex)) return undefined;
  const low = hex.length > 16 ? hex.slice(-16) : hex;
  const v = BigInt('0x' + low);
  return v === 0n ? undefined : v.toString(10);
}

export function activeTraceContext(): { trace_id: string; span_id: string } | undefined {
  try {
    const g = globalThis as any;
    const dd = g._ddtrace;
    if (dd && typeof dd.scope === 'function') {
      const span = dd.scope().active();
      const ctx = span?.context();
      if (ctx && typeof ctx.toTraceId === 'function') {
        return { trace_id: String(ctx.toTraceId()), span_id: String(ctx.toSpanId()) };
      }
    }
    const otel = g[OTEL_API_KEY];
    const active = otel?.context?.active?.();
    const span = active?.getValue?.(OTEL_SPAN_KEY);
    const sc = span?.spanContext?.();
    if (sc && typeof sc.traceId === 'string' && typeof sc.spanId === 'string') {
      const trace_id = hexToDecimal(sc.traceId);
      const span_id = hexToDecimal(sc.spanId);
      if (trace_id && span_id) return { trace_id, span_id };
    }
  } catch {
    // No tracer, or one in an unexpected state: no ids.
  }
  return undefined;
}
