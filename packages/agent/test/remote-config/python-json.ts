/**
 * Re-serialises JSON text exactly as Python's `json.dumps(value, indent=2)` does, which is how
 * system-tests builds the RC files whose hashes and lengths the conformance vectors expect.
 * `JSON.stringify(v, null, 2)` is not enough: Python prints `1605093071.000000000` as
 * `1605093071.0` (JavaScript loses the float-ness) and escapes non-ASCII characters. Works on the
 * source text so that number literals keep their kind.
 */

type Node =
  | { kind: 'object'; entries: Array<[string, Node]> }
  | { kind: 'array'; items: Node[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'literal'; text: 'true' | 'false' | 'null' };

/** Parses JSON text keeping number literals as written. */
export function parseJsonPreservingNumbers(text: string): Node {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const value = (): Node => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: Array<[string, Node]> = [];
      ws();
      if (text[i] === '}') return i++, { kind: 'object', entries };
      for (;;) {
        ws();
        const key = value();
        if (key.kind !== 'string') throw new SyntaxError(`object key expected at ${i}`);
        ws();
        if (text[i++] !== ':') throw new SyntaxError(`':' expected at ${i - 1}`);
        entries.push([key.value, value()]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i++] === '}') return { kind: 'object', entries };
        else throw new SyntaxError(`',' or '}' expected at ${i - 1}`);
      }
    }
    if (c === '[') {
      i++;
      const items: Node[] = [];
      ws();
      if (text[i] === ']') return i++, { kind: 'array', items };
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i++] === ']') return { kind: 'array', items };
        else throw new SyntaxError(`',' or ']' expected at ${i - 1}`);
      }
    }
    if (c === '"') {
      const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i));
      if (!m) throw new SyntaxError(`bad string at ${i}`);
      i += m[0].length;
      return { kind: 'string', value: JSON.parse(m[0]) as string };
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) throw new SyntaxError(`unexpected ${JSON.stringify(c)} at ${i}`);
    i += m[0].length;
    return m[0] === 'true' || m[0] === 'false' || m[0] === 'null' ? { kind: 'literal', text: m[0] } : { kind: 'number', text: m[0] };
  };
  const root = value();
  ws();
  if (i !== text.length) throw new SyntaxError(`trailing text at ${i}`);
  return root;
}

function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function pyNumber(text: string): string {
  if (!/[.eE]/.test(text)) return text;
  const n = Number(text);
  // repr(float): shortest round-trip digits, always with a fractional part or an exponent.
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  return String(n);
}

/** Python's `json.dumps(node, indent=2)`. */
export function pythonDumps(node: Node, indent = 2, depth = 0): string {
  const pad = (d: number): string => ' '.repeat(indent * d);
  switch (node.kind) {
    case 'string':
      return pyString(node.value);
    case 'number':
      return pyNumber(node.text);
    case 'literal':
      return node.text;
    case 'array':
      if (node.items.length === 0) return '[]';
      return `[\n${node.items.map((v) => pad(depth + 1) + pythonDumps(v, indent, depth + 1)).join(',\n')}\n${pad(depth)}]`;
    case 'object':
      if (node.entries.length === 0) return '{}';
      return `{\n${node.entries
        .map(([k, v]) => `${pad(depth + 1)}${pyString(k)}: ${pythonDumps(v, indent, depth + 1)}`)
        .join(',\n')}\n${pad(depth)}}`;
  }
}

export type { Node as PythonJsonNode };
