/**
 * The in-process side of a non-pausing line probe. V8 evaluates a breakpoint's condition in the
 * paused frame; our condition calls into this runtime with `this` and a lookup function over the
 * frame's variables, does all the work here, and returns `false` so the application never pauses.
 *
 * The condition is generated once per location and kept stable so that V8's eval cache hits.
 */

/**
 * The global the condition reaches the runtime through: non-enumerable, non-writable. A plain
 * identifier, because every extra lookup in a breakpoint condition is paid on every hit
 * (measured: `globalThis[Symbol.for(k)].s()` costs ~30 µs more per hit than `name.s()`).
 */
export const RUNTIME_GLOBAL = '__periscope$runtime$v1';

import { NOT_FOUND } from '../expression/index.js';

/** Returned by a location's lookup function for a name it does not know (the expression language's sentinel). */
export const NOT_IN_SCOPE: symbol = NOT_FOUND;

export type Lookup = (name: string) => unknown;
/** Reads a location's frame variables in one go, in the order the condition listed them. */
export type ReadFrame = () => unknown[];

/** What a location does on a hit; implemented by the probe layer. */
export interface LocationHandler {
  /** Cheap pre-check, no allocation: is there anything to do on this hit? */
  wants(): boolean;
  /**
   * Runs every probe at the location. Must not throw. `read` reads the frame's variables at
   * once (it throws if one of them cannot be read); `readOne` reads one name (it may throw).
   */
  hit(thisValue: unknown, read: ReadFrame, readOne: Lookup): void;
}

export interface RuntimeStats {
  hits: number;
  skipped: number;
  errors: number;
}

export class HitRuntime {
  readonly NF = NOT_IN_SCOPE;
  private readonly handlers = new Map<number, LocationHandler>();
  private nextId = 1;
  private readonly counters: RuntimeStats = { hits: 0, skipped: 0, errors: 0 };

  register(handler: LocationHandler): number {
    const id = this.nextId++;
    this.handlers.set(id, handler);
    return id;
  }

  unregister(id: number): void {
    this.handlers.delete(id);
  }

  /** Called from the breakpoint condition: should the lookup be built at all? */
  s(id: number): boolean {
    const h = this.handlers.get(id);
    if (h === undefined) return false;
    try {
      if (h.wants()) return true;
    } catch {
      this.counters.errors++;
    }
    this.counters.skipped++;
    return false;
  }

  /** Called from the breakpoint condition after `s` said yes. Always returns false: never pause. */
  h(id: number, thisValue: unknown, read: ReadFrame, readOne: Lookup): false {
    const handler = this.handlers.get(id);
    if (handler === undefined) return false;
    this.counters.hits++;
    try {
      handler.hit(thisValue, read, readOne);
    } catch {
      this.counters.errors++;
    }
    return false;
  }

  stats(): RuntimeStats {
    return { ...this.counters };
  }

  install(): void {
    Object.defineProperty(globalThis, RUNTIME_GLOBAL, { value: this, configurable: true, enumerable: false, writable: false });
  }

  uninstall(): void {
    if ((globalThis as any)[RUNTIME_GLOBAL] === this) delete (globalThis as any)[RUNTIME_GLOBAL];
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Parameter name of the generated lookup; it must not shadow the application's variables. */
const NAME_PARAM = '$periscope$name';

/**
 * Words that cannot be read as a variable in every context a condition is compiled in (sloppy
 * code may name a variable `let` or `yield`): left out, so that a condition always compiles.
 */
const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval').split(' '),
);

/** Whether a name can appear in a generated condition. */
export const usableName = (n: string): boolean => IDENTIFIER.test(n) && !RESERVED.has(n) && n !== RUNTIME_GLOBAL && n !== NAME_PARAM;

/**
 * The condition V8 evaluates at a location. V8 compiles it on every hit (measured: ~9 ns per
 * character, and a `switch` over 30 names costs ~18 µs more than over 5), so it is kept short:
 * the sampled-out path is one global lookup and one call, and the frame's variables are read by
 * one array literal. `frameNames` should all be readable at the location (scope analysis makes
 * them so); when reading the array throws, each name is read on its own by a direct `eval` of
 * the identifier in the frame's scope, compiled only when it is called (see
 * probes/frame-reader.ts, which only ever passes it names that `usableName` accepts).
 */
export function buildCondition(locationId: number, frameNames: readonly string[]): string {
  const rt = RUNTIME_GLOBAL;
  const frame = frameNames.filter(usableName).join(', ');
  return `${rt}.s(${locationId}) && ${rt}.h(${locationId}, this, () => [${frame}], (${NAME_PARAM}) => eval(${NAME_PARAM}))`;
}
