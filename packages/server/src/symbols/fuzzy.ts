/**
 * Ranking for symbol autocomplete (higher is better): exact beats prefix beats a match at a word boundary beats
 * any substring beats a subsequence ("gUsr" finds getUser). Null means no match.
 */
export function matchScore(name: string, query: string): number | null {
  const n = name.toLowerCase();
  const q = query.toLowerCase();
  if (q === '') return 0;
  if (n === q) return name === query ? 1000 : 990;
  // Typing "Admin" means AdminService before adminId: matching case earns a bonus.
  if (n.startsWith(q)) return 850 + (name.startsWith(query) ? 50 : 0) - Math.min(n.length - q.length, 49);
  const at = n.indexOf(q);
  if (at >= 0) return (isBoundary(name, at) ? 650 : 450) + (name.includes(query) ? 50 : 0) - Math.min(at, 49);
  // Greedy subsequence, preferring word boundaries; fewer gaps and more boundary hits rank higher.
  let pos = 0;
  let gaps = 0;
  let boundaries = 0;
  for (const ch of q) {
    const found = n.indexOf(ch, pos);
    if (found < 0) return null;
    if (found > pos) gaps++;
    if (isBoundary(name, found)) boundaries++;
    pos = found + 1;
  }
  return 300 + Math.min(boundaries * 10, 90) - Math.min(gaps * 5, 200);
}

/** Start of a path segment, of a snake/kebab/dot word, or of a camelCase hump. */
function isBoundary(name: string, index: number): boolean {
  if (index === 0) return true;
  const prev = name[index - 1]!;
  const ch = name[index]!;
  if (prev === '/' || prev === '.' || prev === '_' || prev === '-' || prev === '\\' || prev === ' ') return true;
  return ch >= 'A' && ch <= 'Z' && !(prev >= 'A' && prev <= 'Z');
}

/** `%a%b%c%`: a LIKE pattern matching any name that contains the query as a subsequence. */
export function subsequencePattern(query: string): string {
  let out = '%';
  for (const ch of query.toLowerCase()) out += (ch === '%' || ch === '_' || ch === '\\' ? `\\${ch}` : ch) + '%';
  return out;
}
