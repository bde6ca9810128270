/**
 * Matches a probe's `where.sourceFile` (relative, partial, any case, either separator) against
 * the paths of loaded code. The longest suffix on path-segment boundaries wins; application files
 * beat `node_modules`; a tie between distinct files is an ambiguity, reported with the candidates.
 */

export type PathMatch =
  | { kind: 'match'; path: string }
  | { kind: 'none' }
  | { kind: 'ambiguous'; candidates: string[] };

function segments(p: string): string[] {
  let s = p.replace(/\\/g, '/');
  if (s.startsWith('file://')) s = s.slice('file://'.length);
  return s.split('/').filter((x) => x !== '' && x !== '.');
}

function endsWith(haystack: string[], needle: string[], lower: boolean): boolean {
  if (needle.length > haystack.length) return false;
  const off = haystack.length - needle.length;
  for (let i = 0; i < needle.length; i++) {
    const a = haystack[off + i]!;
    const b = needle[i]!;
    if (lower ? a.toLowerCase() !== b.toLowerCase() : a !== b) return false;
  }
  return true;
}

/**
 * The lower-cased last path segment: a candidate can match a query only when theirs are equal
 * (every suffix the matcher tries ends with it), so it serves as an index key.
 */
export function baseNameKey(p: string): string {
  const segs = segments(p);
  return (segs[segs.length - 1] ?? '').toLowerCase();
}

const isDependency = (p: string) => /[\\/]node_modules[\\/]/.test(p);

export function matchSourceFile(query: string, candidates: Iterable<string>): PathMatch {
  const q = segments(query);
  if (q.length === 0) return { kind: 'none' };
  const cands = [...new Set(candidates)].map((path) => ({ path, segs: segments(path) }));
  // Longest suffix first: the whole query, then without its unknown leading directories.
  for (let start = 0; start < q.length; start++) {
    const needle = q.slice(start);
    for (const lower of [false, true]) {
      let hits = cands.filter((c) => endsWith(c.segs, needle, lower)).map((c) => c.path);
      if (hits.length === 0) continue;
      if (hits.length > 1) {
        const app = hits.filter((h) => !isDependency(h));
        if (app.length > 0) hits = app;
      }
      if (hits.length === 1) return { kind: 'match', path: hits[0]! };
      return { kind: 'ambiguous', candidates: hits.sort() };
    }
  }
  return { kind: 'none' };
}
