/** Terminal formatting: tables, colour, and compact one-line rendering of captured values. */

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;
export type Style = keyof typeof CODES;

export function paint(text: string, style: Style, color: boolean): string {
  if (!color) return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (s: string): number => s.replace(ANSI, '').length;

/** Left-aligned columns separated by two spaces; a header row in bold. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], color: boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, widths[i]! - visibleLength(c)))))
      .join('  ')
      .trimEnd();
  return [paint(line(header), 'bold', color), ...rows.map(line)].join('\n') + '\n';
}

export function statusStyle(status: string | null): Style {
  switch (status) {
    case 'EMITTING':
    case 'INSTALLED':
      return 'green';
    case 'ERROR':
    case 'BLOCKED':
      return 'red';
    case 'RECEIVED':
      return 'yellow';
    default:
      return 'dim';
  }
}

interface Captured {
  type?: string;
  value?: string;
  isNull?: boolean;
  truncated?: boolean;
  size?: number;
  fields?: Record<string, Captured>;
  elements?: Captured[];
  entries?: Array<[Captured, Captured]>;
  notCapturedReason?: string;
  pruned?: boolean;
}

const MAX_ITEMS = 8;

/** `{id=1, name="bob", tags=[…3]}`: a captured value on one line, cut to a few items per level. */
export function compactValue(v: unknown, depth = 0): string {
  if (typeof v !== 'object' || v === null) return String(v);
  const c = v as Captured;
  if (c.pruned) return '…';
  if (c.isNull) return 'null';
  if (c.notCapturedReason && !c.fields && !c.elements && !c.entries) return `<${c.type ?? '?'}: ${c.notCapturedReason}>`;
  if (c.type === 'undefined') return 'undefined';
  if (c.value !== undefined) {
    const text = c.type === 'string' ? JSON.stringify(c.value) : c.value;
    return c.truncated ? `${text}…` : text;
  }
  if (depth > 2) return `${c.type ?? 'Object'}{…}`;
  const more = (shown: number, total: number | undefined): string => (total !== undefined && total > shown ? `, …${total - shown} more` : '');
  if (c.elements) {
    const items = c.elements.slice(0, MAX_ITEMS).map((e) => compactValue(e, depth + 1));
    return `[${items.join(', ')}${more(items.length, c.size ?? c.elements.length)}]`;
  }
  if (c.entries) {
    const items = c.entries.slice(0, MAX_ITEMS).map(([k, val]) => `${compactValue(k, depth + 1)} => ${compactValue(val, depth + 1)}`);
    return `${c.type ?? 'Map'}{${items.join(', ')}${more(items.length, c.size ?? c.entries.length)}}`;
  }
  if (c.fields) {
    const keys = Object.keys(c.fields);
    const items = keys.slice(0, MAX_ITEMS).map((k) => `${k}=${compactValue(c.fields![k], depth + 1)}`);
    const prefix = c.type && c.type !== 'Object' ? c.type : '';
    return `${prefix}{${items.join(', ')}${more(items.length, c.size ?? keys.length)}}`;
  }
  return c.type ?? '?';
}

/** `a=1 b="x"` for a map of captured values. */
export function keyValues(values: Record<string, unknown> | undefined): string {
  if (!values) return '';
  return Object.entries(values)
    .map(([k, v]) => `${k}=${compactValue(v)}`)
    .join(' ');
}

/** `13-19, 22` */
export function formatRanges(ranges: ReadonlyArray<{ start: number; end: number }>): string {
  return ranges.map((r) => (r.start === r.end ? String(r.start) : `${r.start}-${r.end}`)).join(', ');
}

export function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

export function ago(ms: number | null, now = Date.now()): string {
  if (ms === null) return '-';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}
