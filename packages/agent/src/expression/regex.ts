/**
 * `matches` without catastrophic backtracking.
 *
 * A probe condition runs inside a V8 breakpoint condition, where interrupts are postponed:
 * a `vm` timeout cannot stop a runaway `RegExp` there (verified: the watchdog never fires), and
 * a worker cannot share the subject synchronously. So safety must come before the match:
 *
 * 1. When V8's linear-time engine is available (`--enable-experimental-regexp-engine`, see
 *    {@link enableLinearRegexEngine}), every pattern it supports runs with the `l` flag:
 *    linear in the subject length, whatever the pattern.
 * 2. Otherwise, and for patterns it rejects (backreferences, lookarounds), a static scan
 *    bounds the backtracking cost: a pattern with no quantified group, alternation under a
 *    quantifier or backreference backtracks at most `n^(k+1)` steps for `k` unbounded
 *    quantifiers; it runs when that bound is under {@link MAX_BACKTRACK_STEPS}. A pattern that
 *    may backtrack exponentially runs only on subjects of at most
 *    {@link MAX_EXPONENTIAL_SUBJECT} characters. Anything else is refused with an evaluation
 *    error, which yields one error event instead of a hung application thread.
 *
 * Matching calls the intrinsic `RegExp.prototype.exec` on a RegExp this module built, so a
 * patched `RegExp.prototype.test`/`exec` is never consulted.
 */
import { setFlagsFromString } from 'node:v8';
import { EvaluationFailure } from './errors.js';
import { ArrayPop, ArrayPush, RegExpExec, StringIncludes, StringSlice, StringStartsWith } from '../safe/intrinsics.js';

/** Backtracking steps a regex may take in the worst case and still run (about 10 ms). */
export const MAX_BACKTRACK_STEPS = 1e7;
/** Longest subject for a pattern that may backtrack exponentially (2^20 steps). */
export const MAX_EXPONENTIAL_SUBJECT = 20;
/** Bounded quantifiers up to this many repetitions count as constant. */
const SMALL_REPEAT = 16;

const RegExpCtor = RegExp;
const QUANTIFIER_BRACES = /^\{(\d+)(,(\d*))?\}/;
const toNumber = Number;
const mathPow = Math.pow;
const mathFloor = Math.floor;

/** The static cost class of a pattern under a backtracking engine. */
export interface PatternCost {
  /** May take exponential time: quantified groups with inner quantifiers or alternation, backreferences. */
  exponential: boolean;
  /** Unbounded (or large) quantifiers, each a polynomial factor of the subject length. */
  unboundedQuantifiers: number;
  /** Starts with `^` outside any group: only one start position is tried. */
  anchored: boolean;
}

interface GroupState {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

/** Scans a pattern's syntax for the constructs that make backtracking expensive. */
export function analyzePattern(pattern: string): PatternCost {
  let exponential = false;
  let unbounded = 0;
  const stack: GroupState[] = [{ hasQuantifier: false, hasAlternation: false }];
  // What a following quantifier applies to: a group that had quantifiers/alternation, or a plain atom.
  let lastAtom: 'none' | 'atom' | 'risky-group' = 'none';
  const anchored = StringStartsWith(pattern, '^');
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if ((next >= '1' && next <= '9') || (next === 'k' && pattern[i + 2] === '<')) exponential = true;
      i += 2;
      lastAtom = 'atom';
      continue;
    }
    if (c === '[') {
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < n && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
      lastAtom = 'atom';
      continue;
    }
    if (c === '(') {
      ArrayPush(stack, { hasQuantifier: false, hasAlternation: false });
      i++;
      if (pattern[i] === '?') {
        // (?:  (?=  (?!  (?<=  (?<!  (?<name>
        i++;
        if (pattern[i] === '<' && pattern[i + 1] !== '=' && pattern[i + 1] !== '!') {
          while (i < n && pattern[i] !== '>') i++;
        }
        i++;
      }
      lastAtom = 'none';
      continue;
    }
    if (c === ')') {
      const g = (stack.length > 1 ? ArrayPop(stack) : stack[0]) as GroupState;
      const parent = stack[stack.length - 1]!;
      if (g.hasQuantifier) parent.hasQuantifier = true;
      lastAtom = g.hasQuantifier || g.hasAlternation ? 'risky-group' : 'atom';
      i++;
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.hasAlternation = true;
      lastAtom = 'none';
      i++;
      continue;
    }
    let max = -1;
    let len = 0;
    if (c === '*' || c === '+') {
      max = Infinity;
      len = 1;
    } else if (c === '?') {
      max = 1;
      len = 1;
    } else if (c === '{') {
      const m = RegExpExec(QUANTIFIER_BRACES, StringSlice(pattern, i));
      if (m !== null) {
        max = m[2] === undefined ? toNumber(m[1]) : m[3] === '' ? Infinity : toNumber(m[3]);
        len = m[0].length;
      }
    }
    if (len > 0 && lastAtom !== 'none') {
      if (pattern[i + len] === '?') len++; // lazy
      const big = max > SMALL_REPEAT;
      if (lastAtom === 'risky-group' && max > 1) exponential = true;
      if (big) unbounded++;
      stack[stack.length - 1]!.hasQuantifier = stack[stack.length - 1]!.hasQuantifier || max > 1;
      i += len;
      lastAtom = 'none';
      continue;
    }
    lastAtom = 'atom';
    i++;
  }
  return { exponential, unboundedQuantifiers: unbounded, anchored };
}

/** True when `new RegExp(p, 'l')` is accepted by this process. */
export function linearRegexEngineAvailable(): boolean {
  try {
    new RegExpCtor('', 'l');
    return true;
  } catch {
    return false;
  }
}

/**
 * Turns on V8's linear-time regex engine for RegExps created with the `l` flag. It changes
 * nothing for the application's own regexes (none can use `l` today); it is process-wide, so
 * the agent calls it once at start-up, not per probe. Returns whether `l` now works.
 */
export function enableLinearRegexEngine(): boolean {
  if (linearRegexEngineAvailable()) return true;
  try {
    setFlagsFromString('--enable-experimental-regexp-engine');
  } catch {
    return false;
  }
  return linearRegexEngineAvailable();
}

/** A compiled `matches` pattern. */
export interface SafePattern {
  readonly linear: boolean;
  /** Searches anywhere in `subject` (JS `RegExp.prototype.test`), or throws an evaluation failure when too costly. */
  test(subject: string): boolean;
}

/** Compiles a pattern string; throws `SyntaxError` for an invalid one. */
export function compilePattern(pattern: string, flags = ''): SafePattern {
  const re = new RegExpCtor(pattern, flags); // validates, and is the backtracking fallback
  if (linearRegexEngineAvailable()) {
    try {
      const linear = new RegExpCtor(pattern, flags + 'l');
      return { linear: true, test: (s) => RegExpExec(linear, s) !== null };
    } catch {
      // Backreferences or lookarounds: fall through to the cost bound.
    }
  }
  const cost = analyzePattern(pattern);
  const degree = cost.unboundedQuantifiers + (cost.anchored && !StringIncludes(flags, 'm') ? 0 : 1);
  const maxSubject = cost.exponential
    ? MAX_EXPONENTIAL_SUBJECT
    : degree === 0
      ? Infinity
      : mathFloor(mathPow(MAX_BACKTRACK_STEPS, 1 / degree));
  return {
    linear: false,
    test(s) {
      if (s.length > maxSubject) {
        throw new EvaluationFailure(
          'Error',
          `Regular expression is too expensive to run on a ${s.length}-character string (limit ${maxSubject}): it may backtrack catastrophically`,
        );
      }
      re.lastIndex = 0;
      return RegExpExec(re, s) !== null;
    },
  };
}
