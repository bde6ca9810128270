import { parseArgs } from 'node:util';
import type { SymbolMatch } from '../../store/symbol-store.js';
import type { ApiClient } from '../api-client.js';
import { formatRanges, paint, table } from '../format.js';
import { CliError, type CliIo } from '../io.js';

export const SYMBOLS_USAGE = `Usage: periscope symbols <query> [--service <name>] [--version <v>] [--kind <kind>]... [--limit <n>] [--json]

Finds files, classes, functions, parameters and locals by prefix or fuzzy match, with where
they are defined and which lines can take a probe. Kinds: file, class, function, parameter, local, field.
`;

const UNKNOWN_MAX_LINE = 2147483647;

function span(m: SymbolMatch): string {
  if (m.kind === 'file') return m.file;
  const line = m.line !== null && m.line > 0 && m.line < UNKNOWN_MAX_LINE ? m.line : m.startLine;
  const end = m.kind === 'class' || m.kind === 'function' ? (m.endLine < UNKNOWN_MAX_LINE ? `-${m.endLine}` : '') : '';
  return `${m.file}:${line}${end}`;
}

export async function symbolsCommand(args: string[], client: ApiClient, io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      version: { type: 'string' },
      kind: { type: 'string', multiple: true },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(SYMBOLS_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError('symbols needs one query, e.g. `periscope symbols getUser`', 2);
  const query = new URLSearchParams({ q: positionals[0]! });
  if (values.service) query.set('service', values.service);
  if (values.version) query.set('version', values.version);
  for (const k of values.kind ?? []) query.append('kind', k);
  if (values.limit) query.set('limit', values.limit);
  const { results, partial } = await client.json<{ results: SymbolMatch[]; partial?: boolean }>(`/api/v1/symbols/search?${query}`);
  if (values.json) {
    io.out(`${JSON.stringify(results)}\n`);
    return 0;
  }
  if (partial) io.err('periscope: fuzzy matching stopped early on this many symbols; type more of the name for complete results\n');
  if (results.length === 0) {
    io.out(`no symbols match "${positionals[0]}" (symbols appear once a tracer uploads them)\n`);
    return 0;
  }
  const rows = results.map((m) => [
    paint(m.kind, 'cyan', io.color),
    m.type ? `${m.name}: ${m.type}` : m.name,
    span(m),
    m.scopeChain.slice(1).join(' › '),
    m.service,
    formatRanges(m.injectibleLines) || paint('none', 'dim', io.color),
  ]);
  io.out(table(['KIND', 'NAME', 'DEFINED AT', 'IN', 'SERVICE', 'PROBE LINES'], rows, io.color));
  return 0;
}
