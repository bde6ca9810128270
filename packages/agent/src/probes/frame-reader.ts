/**
 * Which names a location's condition reads, and how a hit turns what it read into a lookup.
 *
 * The condition reads the frame's variables with one array literal (see `buildCondition`). The
 * list comes from scope analysis, so it should only hold names V8 can read there; when reading
 * the array throws anyway, that hit reads each name on its own (a direct `eval` of the
 * identifier in the frame), and names V8 cannot resolve leave the array from then on. Names a
 * probe expression uses that are declared nowhere around the location are globals, read
 * in-process as data properties so that no getter of the application runs.
 */
import { NOT_IN_SCOPE, usableName, type Lookup, type ReadFrame } from '../runtime/hit-runtime.js';
import { getPrototypeOf, ReferenceErrorPrototype } from '../safe/intrinsics.js';
import { isProxy, NO_VALUE, readDataProperty } from '../safe/reflect.js';
import type { ScopeAtPosition } from './scope-analysis.js';

/** What a name read on its own gives when V8 cannot resolve it at the location. */
const UNRESOLVABLE: unique symbol = Symbol('periscope.unresolvable');

export class FrameReader {
  /** Names the condition reads as one array, in order. */
  private names: string[] = [];
  private index = new Map<string, number>();
  /** Names probes use that are declared nowhere around the location. */
  private readonly globals = new Set<string>();
  /** Names that cannot be read here (scope analysis, or a failed read at a hit). */
  private readonly unreadable: Set<string>;

  constructor(
    private readonly scope: ScopeAtPosition,
    /** Called, during a hit, when names were dropped: the condition must be rebuilt after it. */
    private readonly onNamesDropped: () => void,
  ) {
    this.unreadable = new Set(scope.unavailable);
  }

  /**
   * Recomputes the names to read: the frame's variables, then the module-level names in
   * `referenced` (globals are noted apart). Returns the list for the condition.
   */
  update(referenced: Iterable<string>): readonly string[] {
    const names = new Set([...this.scope.args, ...this.scope.locals]);
    const moduleNames = new Set(this.scope.moduleNames);
    this.globals.clear();
    for (const name of referenced) {
      if (names.has(name) || this.unreadable.has(name)) continue;
      if (this.scope.insideWith) {
        this.unreadable.add(name); // even a global would be looked up on the `with` object first
        continue;
      }
      if (moduleNames.has(name)) names.add(name);
      else this.globals.add(name);
    }
    this.names = [...names].filter((n) => usableName(n) && !this.unreadable.has(n));
    this.index = new Map(this.names.map((n, i) => [n, i]));
    return this.names;
  }

  /** A lookup over this hit's values; never throws. `read` and `readOne` come from the condition. */
  lookup(read: ReadFrame, readOne: Lookup): Lookup {
    const readAlone = (name: string): unknown => {
      if (!usableName(name)) return NOT_IN_SCOPE;
      try {
        return readOne(name);
      } catch (err) {
        // A ReferenceError: optimised away, in its dead zone, or not a variable here. Anything
        // else (a stack overflow in a deep recursion) says nothing about the name.
        return isReferenceError(err) ? UNRESOLVABLE : NOT_IN_SCOPE;
      }
    };
    let values: unknown[];
    try {
      values = read();
    } catch {
      values = this.names.map(readAlone);
      this.dropUnresolvable(values);
    }
    const { index, unreadable, globals } = this;
    return (name: string): unknown => {
      const i = index.get(name);
      if (i !== undefined && i < values.length) return values[i];
      if (unreadable.has(name)) return NOT_IN_SCOPE;
      if (globals.has(name)) return readGlobal(name);
      const v = readAlone(name);
      return v === UNRESOLVABLE ? NOT_IN_SCOPE : v;
    };
  }

  private dropUnresolvable(values: unknown[]): void {
    const before = this.unreadable.size;
    this.names.forEach((name, i) => {
      if (values[i] !== UNRESOLVABLE) return;
      this.unreadable.add(name);
      values[i] = NOT_IN_SCOPE;
    });
    if (this.unreadable.size !== before) this.onNamesDropped();
  }
}

/** A ReferenceError thrown by V8 (checked by prototype: `instanceof` could run application code). */
function isReferenceError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && !isProxy(err) && getPrototypeOf(err) === ReferenceErrorPrototype;
}

/** A global variable's value, read without running a getter; absent unless it is a data property. */
function readGlobal(name: string): unknown {
  const v = readDataProperty(globalThis, name);
  return v === NO_VALUE ? NOT_IN_SCOPE : v;
}
