import { badRequest } from '../errors/index.js';
import type { WireScope } from '../symbols/scope-tree.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The symdb attachment (shared/reference/symbol-database.md §3) after validation. */
export interface SymbolAttachment {
  service: string;
  version: string;
  language: string;
  scopes: WireScope[];
}

const MAX_DEPTH = 64;

/**
 * Checks a scope tree's shape (the fields search relies on: types, lines, names) so that a
 * malformed upload is a 400 naming the bad path, not a half-stored file.
 */
function checkScope(v: unknown, path: string, depth: number): string | null {
  if (depth > MAX_DEPTH) return `${path}: scopes nest deeper than ${MAX_DEPTH}`;
  if (!isObject(v)) return `${path} must be an object`;
  if (typeof v['scope_type'] !== 'string') return `${path}.scope_type must be a string`;
  for (const key of ['start_line', 'end_line']) {
    if (!Number.isInteger(v[key])) return `${path}.${key} must be an integer`;
  }
  if (v['name'] !== undefined && v['name'] !== null && typeof v['name'] !== 'string') return `${path}.name must be a string`;
  if (v['source_file'] !== undefined && typeof v['source_file'] !== 'string') return `${path}.source_file must be a string`;
  if (v['language_specifics'] !== undefined && v['language_specifics'] !== null && !isObject(v['language_specifics'])) {
    return `${path}.language_specifics must be an object`;
  }
  const lines = v['injectible_lines'];
  if (lines !== undefined && lines !== null) {
    if (!Array.isArray(lines)) return `${path}.injectible_lines must be an array`;
    for (let i = 0; i < lines.length; i++) {
      const r = lines[i] as unknown;
      if (!isObject(r) || !Number.isInteger(r['start']) || !Number.isInteger(r['end'])) {
        return `${path}.injectible_lines[${i}] must be {"start": int, "end": int}`;
      }
    }
  }
  const symbols = v['symbols'];
  if (symbols !== undefined && symbols !== null) {
    if (!Array.isArray(symbols)) return `${path}.symbols must be an array`;
    for (let i = 0; i < symbols.length; i++) {
      const s = symbols[i] as unknown;
      if (!isObject(s) || typeof s['symbol_type'] !== 'string' || typeof s['name'] !== 'string') {
        return `${path}.symbols[${i}] needs string "symbol_type" and "name"`;
      }
      if (s['line'] !== undefined && !Number.isInteger(s['line'])) return `${path}.symbols[${i}].line must be an integer`;
      if (s['type'] !== undefined && s['type'] !== null && typeof s['type'] !== 'string') return `${path}.symbols[${i}].type must be a string or null`;
    }
  }
  const scopes = v['scopes'];
  if (scopes !== undefined && scopes !== null) {
    if (!Array.isArray(scopes)) return `${path}.scopes must be an array`;
    for (let i = 0; i < scopes.length; i++) {
      const err = checkScope(scopes[i], `${path}.scopes[${i}]`, depth + 1);
      if (err) return err;
    }
  }
  return null;
}

/**
 * Validates one decoded attachment; `event` (the metadata part) supplies service and version
 * when the attachment lacks them.
 */
export function parseSymbolAttachment(json: unknown, event: Json | null, what: string): SymbolAttachment {
  if (!isObject(json)) throw badRequest(`${what}: the symbol file must be a JSON object`);
  if (!Array.isArray(json['scopes'])) throw badRequest(`${what}: the symbol file needs a "scopes" array`);
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const service = str(event?.['service']) || str(json['service']) || '';
  if (!service) throw badRequest(`${what}: no service: set "service" in the event part or the symbol file`);
  json['scopes'].forEach((s, i) => {
    const err = checkScope(s, `scopes[${i}]`, 0);
    if (err) throw badRequest(`${what}: ${err}`);
  });
  return {
    service,
    version: str(event?.['version']) ?? str(json['version']) ?? '',
    language: str(json['language']) ?? str(event?.['language']) ?? '',
    scopes: json['scopes'] as WireScope[],
  };
}
