/**
 * Typed handlers for the three products Periscope uses (shared/reference/remote-config.md §6).
 * Each checks the file's shape (a bad shape throws, which the client reports as `apply_state`
 * ERROR) and turns file-level inserts/updates/deletes into the callbacks the engine needs.
 */
import { Capability } from './capabilities.js';
import type { ProductHandler, ProductRegistration, RemoteConfigFile } from './product-handler.js';
import { isObject } from './targets.js';

/** `LIVE_DEBUGGING`: one probe definition per file. */
export interface ProbeConfigCallbacks {
  /**
   * A probe was added or changed. Per the reference's recommendation, the engine should not throw
   * when the probe cannot be installed (that goes to the probe's diagnostics); a throw marks the
   * RC file as ERROR.
   */
  onProbe(probe: Record<string, unknown>, file: RemoteConfigFile): void | Promise<void>;
  /** The probe with this id is gone. */
  onProbeRemoved(probeId: string, file: RemoteConfigFile): void | Promise<void>;
}

export function probeConfigHandler(callbacks: ProbeConfigCallbacks): ProductHandler {
  // The probe id comes from the file, not from the path; remember it for the delete.
  const ids = new Map<string, string>();
  // Synchronous callbacks stay synchronous, so the file is acknowledged within the same poll.
  const upsert = (file: RemoteConfigFile, content: unknown): void | Promise<void> => {
    if (!isObject(content)) throw new TypeError('probe config is not a JSON object');
    const id = content['id'];
    if (typeof id !== 'string' || id === '') throw new TypeError('probe config has no string "id"');
    const previous = ids.get(file.path);
    ids.set(file.path, id);
    if (previous !== undefined && previous !== id) {
      const removal = callbacks.onProbeRemoved(previous, file);
      if (removal instanceof Promise) return removal.then(() => callbacks.onProbe(content, file));
    }
    return callbacks.onProbe(content, file);
  };
  return {
    onInsert: upsert,
    onUpdate: upsert,
    onDelete(file) {
      const id = ids.get(file.path);
      ids.delete(file.path);
      return id === undefined ? undefined : callbacks.onProbeRemoved(id, file);
    },
  };
}

/** `LIVE_DEBUGGING_SYMBOL_DB`: `{"upload_symbols": bool}`. */
export interface SymbolDatabaseCallbacks {
  /**
   * `true`: start extraction and upload, or start over when already uploading (a changed config
   * that still asks for symbols: shared/reference/symbol-database.md §5, "update means stop, then
   * start again if true"). `false`: stop; deleting the last config also stops.
   */
  onUploadSymbols(enabled: boolean): void;
}

export function symbolDatabaseHandler(callbacks: SymbolDatabaseCallbacks): ProductHandler {
  const flags = new Map<string, boolean>();
  let effective = false;
  const apply = (restart: boolean): void => {
    const next = [...flags.values()].some(Boolean);
    if (next === effective && !(restart && next)) return;
    effective = next;
    callbacks.onUploadSymbols(next);
  };
  const parse = (content: unknown): boolean => {
    const flag = isObject(content) ? content['upload_symbols'] : undefined;
    if (typeof flag !== 'boolean') throw new TypeError('symbol database config is not {"upload_symbols": boolean}');
    return flag;
  };
  return {
    onInsert(file, content) {
      flags.set(file.path, parse(content));
      apply(false);
    },
    // The client calls this only when the file's bytes changed (a new hash).
    onUpdate(file, content) {
      const flag = parse(content);
      flags.set(file.path, flag);
      apply(flag);
    },
    onDelete(file) {
      flags.delete(file.path);
      apply(false);
    },
  };
}

/** `APM_TRACING`: `lib_config.dynamic_instrumentation_enabled` switches the debugger at runtime. */
export interface DynamicInstrumentationToggleOptions {
  /** This process's service and env, to honour `service_target`. */
  service: string;
  env: string | undefined;
  /**
   * The remote value when it changes: `true`/`false`, or `undefined` when no applicable file sets
   * it (the local setting applies again). Honouring an explicit local `false` is the caller's job.
   */
  onChange(enabled: boolean | undefined): void;
}

/** Registration options for the APM_TRACING handler: the DI capability bit. */
export const APM_TRACING_REGISTRATION: ProductRegistration = Object.freeze({
  capabilities: [Capability.APM_TRACING_ENABLE_DYNAMIC_INSTRUMENTATION],
});

export function dynamicInstrumentationToggleHandler(options: DynamicInstrumentationToggleOptions): ProductHandler {
  // Several files may apply; the most specific target wins (dd-trace-js: service+env 5, service 4, env 3, org 1).
  const files = new Map<string, { specificity: number; enabled: boolean | undefined; order: number }>();
  let order = 0;
  let effective: boolean | undefined;
  const recompute = (): void => {
    let best: { specificity: number; enabled: boolean | undefined; order: number } | undefined;
    for (const f of files.values()) {
      if (f.enabled === undefined) continue;
      if (!best || f.specificity > best.specificity || (f.specificity === best.specificity && f.order > best.order)) best = f;
    }
    const next = best?.enabled;
    if (next === effective) return;
    effective = next;
    options.onChange(next);
  };
  const upsert = (file: RemoteConfigFile, content: unknown): void => {
    if (!isObject(content)) throw new TypeError('APM_TRACING config is not a JSON object');
    const target = content['service_target'];
    const service = isObject(target) ? target['service'] : undefined;
    const env = isObject(target) ? target['env'] : undefined;
    const serviceSet = typeof service === 'string' && service !== '' && service !== '*';
    const envSet = typeof env === 'string' && env !== '' && env !== '*';
    if ((serviceSet && service !== options.service) || (envSet && env !== options.env)) {
      files.delete(file.path); // targets another service/env: acknowledged, not applied
      recompute();
      return;
    }
    const lib = content['lib_config'];
    if (lib !== undefined && lib !== null && !isObject(lib)) throw new TypeError('APM_TRACING lib_config is not an object');
    const flag = isObject(lib) ? lib['dynamic_instrumentation_enabled'] : undefined;
    if (flag !== undefined && flag !== null && typeof flag !== 'boolean') {
      throw new TypeError('lib_config.dynamic_instrumentation_enabled is not a boolean');
    }
    const specificity = serviceSet && envSet ? 5 : serviceSet ? 4 : envSet ? 3 : 1;
    files.set(file.path, { specificity, enabled: typeof flag === 'boolean' ? flag : undefined, order: order++ });
    recompute();
  };
  return {
    onInsert: upsert,
    onUpdate: upsert,
    onDelete(file) {
      files.delete(file.path);
      recompute();
    },
  };
}
