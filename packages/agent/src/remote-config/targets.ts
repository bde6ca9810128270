/**
 * The base64 TUF targets document of an RC response (shared/reference/remote-config.md §3.1) and
 * the integrity check of a target file against it (§5). Signatures are not verified: the agent
 * does that against its pinned roots, and no reference tracer does it again.
 */
import { createHash } from 'node:crypto';

export interface TargetMeta {
  length: number;
  /** Lowercase hex SHA-256 of the file's raw bytes. */
  sha256: string;
  /** `custom.v`: the per-config version reported in `config_states`. */
  version: number;
}

export interface TargetsDocument {
  /** `signed.version`: the client's next `targets_version`. */
  version: number;
  /** `signed.custom.opaque_backend_state`, echoed verbatim as `backend_client_state`. */
  opaqueBackendState: string | undefined;
  /** Per path: the metadata, or why it is unusable. */
  targets: ReadonlyMap<string, TargetMeta | { error: string }>;
}

/** Decodes and checks the document; throws an `Error` with a clear message when it is unusable. */
export function decodeTargets(base64: string): TargetsDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch (err) {
    throw new Error(`targets is not base64-encoded JSON: ${(err as Error).message}`);
  }
  const signed = isObject(doc) ? doc['signed'] : undefined;
  if (!isObject(signed)) throw new Error('targets has no "signed" object');
  const version = signed['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new Error('targets signed.version is not a non-negative integer');
  }
  const custom = signed['custom'];
  const state = isObject(custom) ? custom['opaque_backend_state'] : undefined;
  const rawTargets = signed['targets'] ?? {};
  if (!isObject(rawTargets)) throw new Error('targets signed.targets is not an object');
  const targets = new Map<string, TargetMeta | { error: string }>();
  for (const [path, meta] of Object.entries(rawTargets)) targets.set(path, readMeta(meta));
  return { version, opaqueBackendState: typeof state === 'string' ? state : undefined, targets };
}

function readMeta(meta: unknown): TargetMeta | { error: string } {
  if (!isObject(meta)) return { error: 'target metadata is not an object' };
  const length = meta['length'];
  const hashes = meta['hashes'];
  const sha256 = isObject(hashes) ? hashes['sha256'] : undefined;
  const custom = meta['custom'];
  const v = isObject(custom) ? custom['v'] : undefined;
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) return { error: 'target metadata has no valid length' };
  if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256)) return { error: 'target metadata has no valid sha256 hash' };
  return { length, sha256: sha256.toLowerCase(), version: typeof v === 'number' ? v : 0 };
}

/** Checks a target file's bytes against its metadata; returns the problem, or `undefined` when they match. */
export function verifyTarget(bytes: Buffer, meta: TargetMeta): string | undefined {
  if (bytes.length !== meta.length) return `length mismatch: file has ${bytes.length} bytes, targets says ${meta.length}`;
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== meta.sha256) return `sha256 mismatch: file hashes to ${actual}, targets says ${meta.sha256}`;
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
