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

/** What a location does on a hit; implemented by the probe layer. */
export interface LocationHandler {
  /** Cheap pre-check, no allocation: is there anything to do on this hit? */
  wants(): boolean;
  /** Runs every probe at the location. Must not throw. */
  hit(thisValue: unknown, lookup: Lookup): void;
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
  h(id: number, thisValue: unknown, lookup: Lookup): false {
    const handler = this.handlers.get(id);
    if (handler === undefined) return false;
    this.counters.hits++;
    try {
      handler.hit(thisValue, lookup);
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
 * The condition V8 evaluates at a location, kept flat: V8 compiles it on every hit, and the
 * sampled-out path is one global lookup and one call. Reading a variable never runs user code;
 * a variable that V8 optimised away throws inside the lookup, which the runtime treats as absent.
 */
export function buildCondition(locationId: number, names: readonly string[]): string {
  const rt = RUNTIME_GLOBAL;
  const cases = names
    .filter((n) => IDENTIFIER.test(n) && n !== rt && n !== NAME_PARAM)
    .map((n) => `case ${JSON.stringify(n)}: return ${n};`)
    .join(' ');
  return (
    `${rt}.s(${locationId}) && ` +
    `${rt}.h(${locationId}, this, (${NAME_PARAM}) => { switch (${NAME_PARAM}) { ${cases} default: return ${rt}.NF; } })`
  );
}
