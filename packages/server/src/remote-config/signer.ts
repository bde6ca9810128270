import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The key file inside the data directory; the server reads and writes no other path there but the database. */
export const SIGNING_KEY_FILE = 'rc-signing-key.pem';

/** Signs TUF `signed` documents with an ed25519 key. Tracers do not verify; an agent would. */
export interface TargetsSigner {
  readonly keyId: string;
  sign(signed: unknown): { keyid: string; sig: string };
}

/** TUF canonical JSON: keys sorted, no insignificant whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function fromKey(privateKey: KeyObject): TargetsSigner {
  const raw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
  const keyId = createHash('sha256').update(raw).digest('hex');
  return {
    keyId,
    sign(signed) {
      return { keyid: keyId, sig: sign(null, Buffer.from(canonicalJson(signed)), privateKey).toString('hex') };
    },
  };
}

/** Loads the server's signing key from the data directory, creating it on first start. */
export function loadOrCreateSigner(dataDir: string): TargetsSigner {
  const file = join(dataDir, SIGNING_KEY_FILE);
  if (existsSync(file)) return fromKey(createPrivateKey(readFileSync(file, 'utf8')));
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  return fromKey(privateKey);
}
