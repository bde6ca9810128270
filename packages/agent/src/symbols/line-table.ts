/**
 * Offsets (UTF-16, as oxc-parser and source maps report them) to 1-based lines and back.
 * Line terminators are `\n`, `\r\n` and a lone `\r`, as editors count them: probe lines come
 * from editors.
 */
export class LineTable {
  readonly #starts: Int32Array;

  constructor(source: string) {
    const starts: number[] = [0];
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (source.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.#starts = Int32Array.from(starts);
  }

  get lineCount(): number {
    return this.#starts.length;
  }

  /** The 1-based line holding `offset`. */
  lineOf(offset: number): number {
    const s = this.#starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The offset of a 1-based line and 0-based column, or -1 when the line does not exist. */
  offsetOf(line: number, column: number): number {
    const start = this.#starts[line - 1];
    return start === undefined ? -1 : start + column;
  }
}
