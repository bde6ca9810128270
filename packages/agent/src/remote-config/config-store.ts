/**
 * The applied side of Remote Config: subscribed products, the configs currently applied and
 * their apply states, and the processing of one `/v0.7/config` response
 * (shared/reference/remote-config.md §5): integrity checks, insert/update/delete derivation and
 * dispatch to the product handlers (deletes, then inserts, then updates).
 */
import {
  ApplyState,
  type ApplyStateValue,
  type CachedTargetFile,
  type ConfigState,
  type ProductHandler,
  type RemoteConfigFile,
} from './product-handler.js';
import { parseConfigPath } from './config-path.js';
import { decodeTargets, isObject, verifyTarget, type TargetMeta } from './targets.js';

interface Applied {
  /** Metadata of the latest version received for this path. */
  file: RemoteConfigFile;
  /** Hash of the content the handler currently holds; undefined when it holds none. */
  heldSha256: string | undefined;
  applyState: ApplyStateValue;
  applyError: string;
  /** Bumped on every dispatch so that a late async completion cannot overwrite a newer state. */
  token: number;
}

export interface Registration {
  handler: ProductHandler;
  capabilities: readonly number[];
}

type Change = { kind: 'insert' | 'update'; entry: Applied; content: unknown };

export class ConfigStore {
  readonly #debug: (message: string) => void;
  readonly #products = new Map<string, Registration>();
  readonly #applied = new Map<string, Applied>();
  #targetsVersion = 0;
  #backendClientState = '';

  constructor(onDebug: (message: string) => void) {
    this.#debug = onDebug;
  }

  /** `signed.version` of the last processed targets document (0 before any, or after a product change). */
  get targetsVersion(): number {
    return this.#targetsVersion;
  }

  /** `opaque_backend_state` of the last processed targets document. */
  get backendClientState(): string {
    return this.#backendClientState;
  }

  /** Subscribed products, in registration order. */
  products(): string[] {
    return [...this.#products.keys()];
  }

  capabilities(): number[] {
    return [...this.#products.values()].flatMap((p) => p.capabilities);
  }

  /**
   * Subscribes a product; returns a function that unsubscribes it and forgets its configs.
   * Either way the targets version goes back to 0: the agent answers `{}` while our version
   * matches its own, so a product subscribed later would never see the files that already exist.
   * Asking from version 0 gets the full list; files we hold are recognised by hash and not
   * re-dispatched.
   */
  addProduct(product: string, registration: Registration): () => void {
    this.#products.set(product, registration);
    this.#targetsVersion = 0;
    return () => {
      if (this.#products.get(product) !== registration) return;
      this.#products.delete(product);
      for (const [path, applied] of this.#applied) if (applied.file.product === product) this.#applied.delete(path);
      this.#targetsVersion = 0;
    };
  }

  /** Applies one response (§5). Throws for a response that is unusable as a whole; state is then unchanged. */
  process(body: Buffer): void {
    const text = body.toString('utf8');
    if (text.trim() === '') return;
    let response: unknown;
    try {
      response = JSON.parse(text);
    } catch {
      throw new Error(`response is not JSON (${body.length} bytes)`);
    }
    if (!isObject(response)) throw new Error('response is not a JSON object');
    const rawTargets = response['targets'];
    // Without a targets document nothing changed (Python/Ruby rule; see §3.2).
    if (rawTargets === undefined || rawTargets === null || rawTargets === '') return;
    if (typeof rawTargets !== 'string') throw new Error('targets is not a base64 string');
    const doc = decodeTargets(rawTargets);
    const clientConfigs = readStringArray(response['client_configs'], 'client_configs');
    const files = new Map<string, unknown>();
    for (const f of readArray(response['target_files'], 'target_files')) {
      if (isObject(f) && typeof f['path'] === 'string') files.set(f['path'], f['raw']);
    }

    const problems: string[] = [];
    const wanted = new Set<string>();
    const changes: Change[] = [];
    for (const path of clientConfigs) {
      const parsed = parseConfigPath(path);
      if (!parsed) {
        problems.push(`Unable to parse path ${path}`);
        continue;
      }
      if (!this.#products.has(parsed.product)) continue; // not subscribed: not ours to report
      wanted.add(path);
      const meta = doc.targets.get(path);
      const previous = this.#applied.get(path);
      const file: RemoteConfigFile = {
        path,
        product: parsed.product,
        id: parsed.id,
        version: meta && 'sha256' in meta ? meta.version : 0,
        sha256: meta && 'sha256' in meta ? meta.sha256 : '',
        length: meta && 'sha256' in meta ? meta.length : 0,
      };
      const entry: Applied = previous ?? { file, heldSha256: undefined, applyState: ApplyState.UNKNOWN, applyError: '', token: 0 };
      if (!meta || !('sha256' in meta)) {
        this.#fail(entry, file, meta ? meta.error : `no target metadata for ${path}`);
        continue;
      }
      const unchanged =
        previous &&
        ((previous.applyState !== ApplyState.ERROR && previous.heldSha256 === meta.sha256) ||
          (previous.applyState === ApplyState.UNACKNOWLEDGED && previous.file.sha256 === meta.sha256));
      if (previous && unchanged) {
        previous.file = file; // same bytes (held, or still being applied); `custom.v` may still have moved
        continue;
      }
      const content = this.#readFile(files.get(path), meta);
      if ('error' in content) {
        this.#fail(entry, file, content.error);
        continue;
      }
      entry.file = file;
      this.#applied.set(path, entry);
      changes.push({ kind: entry.heldSha256 === undefined ? 'insert' : 'update', entry, content: content.value });
    }

    const removed = [...this.#applied.values()].filter((e) => !wanted.has(e.file.path));
    for (const entry of removed) this.#applied.delete(entry.file.path);
    for (const entry of removed) this.#dispatchDelete(entry);
    for (const change of changes) if (change.kind === 'insert') this.#dispatch(change);
    for (const change of changes) if (change.kind === 'update') this.#dispatch(change);

    this.#targetsVersion = doc.version;
    this.#backendClientState = doc.opaqueBackendState ?? '';
    if (problems.length > 0) throw new Error(problems.join('; '));
  }

  #readFile(raw: unknown, meta: TargetMeta): { value: unknown } | { error: string } {
    if (typeof raw !== 'string') return { error: 'target file missing from the response' };
    const bytes = Buffer.from(raw, 'base64');
    const mismatch = verifyTarget(bytes, meta);
    if (mismatch) return { error: mismatch };
    try {
      return { value: JSON.parse(bytes.toString('utf8')) as unknown };
    } catch (err) {
      return { error: `config file is not valid JSON: ${(err as Error).message}` };
    }
  }

  /** Records a file that never reached its handler. What the handler held before stays in place. */
  #fail(entry: Applied, file: RemoteConfigFile, message: string): void {
    entry.file = file;
    entry.applyState = ApplyState.ERROR;
    entry.applyError = message;
    entry.token++;
    this.#applied.set(file.path, entry);
  }

  #dispatch(change: Change): void {
    const { entry, content } = change;
    const handler = this.#products.get(entry.file.product)?.handler;
    if (!handler) return;
    const file = { ...entry.file };
    const token = ++entry.token;
    entry.applyState = ApplyState.UNACKNOWLEDGED;
    entry.applyError = '';
    const settle = (error: unknown, failed: boolean): void => {
      if (entry.token !== token || this.#applied.get(file.path) !== entry) return;
      entry.applyState = failed ? ApplyState.ERROR : ApplyState.ACKNOWLEDGED;
      entry.applyError = failed ? errorText(error) : '';
      if (!failed) entry.heldSha256 = file.sha256;
    };
    try {
      const result =
        change.kind === 'update' && handler.onUpdate ? handler.onUpdate(file, content) : handler.onInsert(file, content);
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(
          () => settle(undefined, false),
          (err: unknown) => settle(err, true),
        );
      } else settle(undefined, false);
    } catch (err) {
      settle(err, true);
    }
  }

  #dispatchDelete(entry: Applied): void {
    entry.token++;
    if (entry.heldSha256 === undefined) return;
    const handler = this.#products.get(entry.file.product)?.handler;
    try {
      const result = handler?.onDelete({ ...entry.file });
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(undefined, (err: unknown) => this.#debug(`delete of ${entry.file.path} failed: ${errorText(err)}`));
      }
    } catch (err) {
      this.#debug(`delete of ${entry.file.path} failed: ${errorText(err)}`);
    }
  }

  configStates(): ConfigState[] {
    return [...this.#applied.values()].map((e) => ({
      id: e.file.id,
      version: e.file.version,
      product: e.file.product,
      apply_state: e.applyState,
      apply_error: e.applyError,
    }));
  }

  /**
   * Files in ERROR are left out, so that the agent sends them again with the next targets
   * version instead of believing we hold them.
   */
  cachedTargetFiles(): CachedTargetFile[] {
    const out: CachedTargetFile[] = [];
    for (const e of this.#applied.values()) {
      if (e.applyState === ApplyState.ERROR) continue;
      out.push({ path: e.file.path, length: e.file.length, hashes: [{ algorithm: 'sha256', hash: e.file.sha256 }] });
    }
    return out;
  }

}

function readArray(value: unknown, name: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${name} is not an array`);
  return value;
}

function readStringArray(value: unknown, name: string): string[] {
  const list = readArray(value, name);
  if (!list.every((v): v is string => typeof v === 'string')) throw new Error(`${name} holds a non-string`);
  return list;
}

/** `Error: message`, like dd-trace-js's `err.toString()`, without calling user code. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return typeof err === 'string' ? err : 'unknown error';
}
