/**
 * Which names and types must never have their values captured (shared/reference/settings.md §5).
 * Built once per configuration; the checks run for every captured property, so they are a Set
 * lookup behind a small cache of already-normalised names.
 */
import { MapClear, MapGet, MapSet, MapSize, SetHas, StringSlice, StringToLowerCase, toStringPrimitive } from '../safe/intrinsics.js';

/** The 88 entries of dd-trace-js's list, as written there (85 distinct once normalised). */
export const BUILT_IN_REDACTED_IDENTIFIERS: readonly string[] = Object.freeze([
  '2fa', '_csrf', '_csrf_token', '_session', '_xsrf', 'access_token', 'aiohttp_session',
  'api_key', 'apisecret', 'apisignature', 'applicationkey', 'appkey', 'auth', 'authtoken',
  'authorization', 'cc_number', 'certificatepin', 'cipher', 'client_secret', 'clientid',
  'connect.sid', 'connectionstring', 'cookie', 'credentials', 'creditcard', 'csrf',
  'csrf_token', 'cvv', 'databaseurl', 'db_url', 'encryption_key', 'encryptionkeyid',
  'geo_location', 'gpg_key', 'ip_address', 'jti', 'jwt', 'license_key', 'masterkey',
  'mysql_pwd', 'nonce', 'oauth', 'oauthtoken', 'otp', 'passhash', 'passwd', 'password',
  'passwordb', 'pem_file', 'pgp_key', 'PHPSESSID', 'pin', 'pincode', 'pkcs8', 'private_key',
  'publickey', 'pwd', 'recaptcha_key', 'refresh_token', 'routingnumber', 'salt', 'secret',
  'secretKey', 'secrettoken', 'securitycode', 'security_answer', 'security_question',
  'serviceaccountcredentials', 'session', 'sessionid', 'sessionkey', 'set_cookie',
  'signature', 'signaturekey', 'ssh_key', 'ssn', 'symfony', 'token', 'transactionid',
  'twilio_token', 'user_session', 'voterid', 'x-auth-token', 'x_api_key', 'x_csrftoken',
  'x_forwarded_for', 'x_real_ip', 'XSRF-TOKEN',
]);

/** The AgentConfig fields redaction is built from. */
export interface RedactionSettings {
  redactedIdentifiers: readonly string[];
  redactionExcludedIdentifiers: readonly string[];
  redactedTypes: readonly string[];
}

/** Bound on the name cache; property names repeat across hits, so a small cache hits often. */
const NAME_CACHE_LIMIT = 4096;

/**
 * Normalises an identifier the way dd-trace-js does, plus Ruby's leading `http_` strip (Rack
 * header names): lower-case, drop a leading `http_`, remove `-`, `_`, `@`, `$` and `.`.
 */
export function normalizeIdentifier(name: string): string {
  // Built-ins taken at load and a plain loop: this runs inside the application's thread, where
  // `String.prototype` methods or `RegExp.prototype.exec` may have been replaced.
  const s = StringToLowerCase(name);
  const start = s.length >= 5 && s[0] === 'h' && s[1] === 't' && s[2] === 't' && s[3] === 'p' && s[4] === '_' ? 5 : 0;
  let out = '';
  let runStart = start;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '-' || c === '_' || c === '@' || c === '$' || c === '.') {
      if (i > runStart) out += StringSlice(s, runStart, i);
      runStart = i + 1;
    }
  }
  if (runStart === 0) return s;
  if (runStart < s.length) out += StringSlice(s, runStart, s.length);
  return out;
}

/** `Symbol(desc)` → `desc`, the part of a symbol key that is matched. */
function symbolDescription(sym: symbol): string {
  const s = toStringPrimitive(sym);
  return StringSlice(s, 7, s.length - 1);
}

export class Redaction {
  readonly #names: ReadonlySet<string>;
  readonly #exactTypes: ReadonlySet<string>;
  readonly #typePrefixes: readonly string[];
  readonly #cache = new Map<string, boolean>();
  /** True when any type is redacted; lets the serializer skip the type check entirely. */
  readonly hasRedactedTypes: boolean;

  constructor(settings: RedactionSettings) {
    const names = new Set<string>();
    for (const id of BUILT_IN_REDACTED_IDENTIFIERS) names.add(normalizeIdentifier(id));
    for (const id of settings.redactedIdentifiers) {
      const trimmed = id.trim();
      if (trimmed !== '') names.add(normalizeIdentifier(trimmed));
    }
    for (const id of settings.redactionExcludedIdentifiers) names.delete(normalizeIdentifier(id.trim()));
    this.#names = names;

    const exact = new Set<string>();
    const prefixes: string[] = [];
    for (const raw of settings.redactedTypes) {
      const t = raw.trim();
      if (t === '') continue;
      if (t.endsWith('*')) prefixes.push(t.slice(0, -1));
      else exact.add(t);
    }
    this.#exactTypes = exact;
    this.#typePrefixes = prefixes;
    this.hasRedactedTypes = exact.size > 0 || prefixes.length > 0;
  }

  /** The normalised names in effect (built-ins ∪ configured − excluded). */
  get identifiers(): ReadonlySet<string> {
    return this.#names;
  }

  /** Is a variable, property or map key with this name redacted? Symbols match on their description. */
  isRedactedName(name: string | symbol): boolean {
    if (typeof name === 'symbol') return SetHas(this.#names, normalizeIdentifier(symbolDescription(name)));
    const cache = this.#cache;
    const cached = MapGet(cache, name) as boolean | undefined;
    if (cached !== undefined) return cached;
    const redacted = SetHas(this.#names, normalizeIdentifier(name));
    if (MapSize(cache) >= NAME_CACHE_LIMIT) MapClear(cache);
    MapSet(cache, name, redacted);
    return redacted;
  }

  /** Is a value of this class redacted? Exact match, or prefix match for entries ending in `*`. */
  isRedactedType(typeName: string): boolean {
    if (!this.hasRedactedTypes) return false;
    if (SetHas(this.#exactTypes, typeName)) return true;
    const prefixes = this.#typePrefixes;
    for (let i = 0; i < prefixes.length; i++) {
      const prefix = prefixes[i]!;
      if (typeName.length >= prefix.length && StringSlice(typeName, 0, prefix.length) === prefix) return true;
    }
    return false;
  }
}
