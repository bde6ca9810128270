import { parseArgs } from 'node:util';
import type { ApiClient } from '../api-client.js';
import { keyValues, paint, time } from '../format.js';
import { CliError, type CliIo } from '../io.js';

interface EventView {
  id: number;
  probeId: string;
  service: string;
  host: string;
  kind: string;
  message: string;
  timestamp: number;
  event: Record<string, unknown>;
}

type Ctx = { arguments?: Record<string, unknown>; locals?: Record<string, unknown>; captureExpressions?: Record<string, unknown> };

/** Several readable lines for one event: header, captured values, top stack frame, errors. */
export function formatEvent(e: EventView, color: boolean): string {
  const lines = [
    `${paint(time(e.timestamp), 'dim', color)} ${paint(e.service || '-', 'cyan', color)}${e.host ? ` ${e.host}` : ''} ` +
      `${paint(`[${e.probeId.slice(0, 8)}]`, 'dim', color)} ${e.message}`,
  ];
  const dbg = (e.event['debugger'] ?? {}) as Record<string, unknown>;
  const snapshot = (dbg['snapshot'] ?? e.event['debugger.snapshot'] ?? {}) as {
    captures?: { lines?: Record<string, Ctx>; entry?: Ctx; return?: Ctx };
    stack?: Array<{ fileName?: string; function?: string; lineNumber?: number }>;
    evaluationErrors?: Array<{ expr: string; message: string }>;
  };
  const captures = snapshot.captures ?? {};
  const contexts: Array<[string, Ctx]> = [
    ...Object.values(captures.lines ?? {}).map((c): [string, Ctx] => ['', c]),
    ...(captures.entry ? [['entry ', captures.entry] as [string, Ctx]] : []),
    ...(captures.return ? [['return ', captures.return] as [string, Ctx]] : []),
  ];
  for (const [prefix, c] of contexts) {
    if (c.arguments && Object.keys(c.arguments).length > 0) lines.push(`  ${paint(`${prefix}args:`, 'bold', color)} ${keyValues(c.arguments)}`);
    if (c.locals && Object.keys(c.locals).length > 0) lines.push(`  ${paint(`${prefix}locals:`, 'bold', color)} ${keyValues(c.locals)}`);
    if (c.captureExpressions) lines.push(`  ${paint(`${prefix}captured:`, 'bold', color)} ${keyValues(c.captureExpressions)}`);
  }
  const top = snapshot.stack?.[0];
  if (top) lines.push(`  ${paint('at', 'dim', color)} ${top.function || '<anonymous>'} (${top.fileName ?? '?'}:${top.lineNumber ?? '?'})`);
  for (const err of snapshot.evaluationErrors ?? []) lines.push(`  ${paint('error:', 'red', color)} ${err.expr}: ${err.message}`);
  return `${lines.join('\n')}\n`;
}

export const TAIL_USAGE = `Usage: periscope tail [--probe <id>] [--service <name>] [--count <n>] [--json]

Prints snapshots and log lines as they arrive, until interrupted (or after --count events).
`;

/** Yields `{event, data}` frames from a server-sent-events body. */
async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

export async function tailCommand(args: string[], client: ApiClient, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      probe: { type: 'string' },
      service: { type: 'string' },
      count: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(TAIL_USAGE);
    return 0;
  }
  const count = values.count === undefined ? Infinity : Number(values.count);
  if (!(count > 0)) throw new CliError(`--count must be a positive number, got "${values.count}"`, 2);
  let probeId = values.probe;
  if (probeId !== undefined) {
    // Accept the short ids `probe ls` prints.
    const { probes } = await client.json<{ probes: Array<{ id: string }> }>('/api/v1/probes');
    const exact = probes.find((p) => p.id === probeId);
    const matches = exact ? [exact] : probes.filter((p) => p.id.startsWith(probeId!));
    // Waiting forever on an id that matches nothing (or on the wrong one of several) helps nobody.
    if (matches.length === 0) throw new CliError(`no probe matches "${probeId}": \`periscope probe ls\` lists the ids`);
    if (matches.length > 1) {
      throw new CliError(`"${probeId}" matches ${matches.length} probes (${matches.map((p) => p.id).join(', ')}): give more of the id`);
    }
    probeId = matches[0]!.id;
  }
  const query = new URLSearchParams();
  if (probeId) query.set('probeId', probeId);
  if (values.service) query.set('service', values.service);
  const abort = new AbortController();
  void io.interrupted.then(() => abort.abort());
  const res = await client.fetch(`/api/v1/events/stream?${query}`, { signal: abort.signal });
  // On stderr even with --json (stdout stays pure JSON lines): it says the stream is subscribed, so a
  // script can trigger events only once they cannot be missed.
  io.err(paint(`waiting for events${probeId ? ` of probe ${probeId}` : ''}… (Ctrl-C to stop)\n`, 'dim', io.color));
  let seen = 0;
  try {
    for await (const frame of sseFrames(res.body!)) {
      if (frame.event !== 'probe-event') continue;
      const event = JSON.parse(frame.data) as EventView;
      io.out(values.json ? `${frame.data}\n` : formatEvent(event, io.color));
      if (++seen >= count) break;
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  } finally {
    abort.abort();
  }
  return 0;
}
