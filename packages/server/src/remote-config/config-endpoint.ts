import { createHash } from 'node:crypto';
import { badRequest } from '../errors/index.js';
import type { InstanceStore } from '../store/instance-store.js';
import type { ProbeStore } from '../store/probe-store.js';
import type { ConfigState, RcClientStore } from '../store/rc-client-store.js';
import type { SqliteDatabase } from '../store/database.js';
import { LIVE_DEBUGGING, LIVE_DEBUGGING_SYMBOL_DB, SYMBOL_DB_CONFIG_ID, configPath, probeConfigId } from './config-paths.js';
import type { TargetsSigner } from './signer.js';

/** The `/v0.7/config` request body (shared/reference/remote-config.md §2), as far as the server reads it. */
export interface ConfigRequest {
  client: {
    id: string;
    products?: string[];
    is_tracer?: boolean;
    capabilities?: string;
    state: {
      root_version?: number;
      targets_version?: number;
      config_states?: Array<{ id: string; version?: number; product?: string; apply_state?: number; apply_error?: string }>;
      has_error?: boolean;
      error?: string;
      backend_client_state?: string;
    };
    client_tracer?: {
      runtime_id: string;
      language: string;
      tracer_version?: string;
      service?: string;
      env?: string;
      app_version?: string;
      tags?: string[];
      extra_services?: string[];
    };
  };
  cached_target_files?: Array<{ path: string; length: number; hashes?: Array<{ algorithm: string; hash: string }> }>;
}

/** `{}` means "nothing changed"; otherwise the fields the agent would send. */
export interface ConfigResponse {
  targets?: string;
  target_files?: Array<{ path: string; raw: string }>;
  client_configs?: string[];
}

/** Something an operator should see: a client that failed a response or a config. */
export interface RcProblem {
  clientId: string;
  service: string;
  message: string;
}

interface ServedFile {
  path: string;
  raw: Buffer;
  sha256: string;
  v: number;
}

/** How long a served targets document claims to stay valid; tracers ignore it, agents check it. */
const TARGETS_LIFETIME_MS = 365 * 24 * 3600 * 1000;

function hostFromTags(tags: readonly string[] | undefined): string {
  for (const tag of tags ?? []) {
    for (const prefix of ['host:', 'hostname:', 'host_name:']) {
      if (typeof tag === 'string' && tag.startsWith(prefix)) return tag.slice(prefix.length);
    }
  }
  return '';
}

/** The agent's request checks (remote-config.md §1), answered as 400 with the reason. */
function validate(req: ConfigRequest): void {
  const c = req.client;
  if ((c.state.root_version ?? 1) < 1) throw badRequest('client.state.root_version must be at least 1');
  if (c.id === '') throw badRequest('client.id must not be empty');
  if (!c.client_tracer) throw badRequest('client.client_tracer is required: only tracer clients are served');
  if (c.is_tracer === false) throw badRequest('client.is_tracer must be true: only tracer clients are served');
  if (c.client_tracer.runtime_id === c.id) throw badRequest('client.id must differ from client_tracer.runtime_id');
  if (!c.client_tracer.language) throw badRequest('client_tracer.language must not be empty');
}

/**
 * Serves Remote Config to tracers: each client gets the LIVE_DEBUGGING probes that target its
 * service (and env, when the probe names one) and the symbol-upload switch, as a signed
 * targets document whose version increases whenever what applies to that client changes.
 */
export class ConfigEndpoint {
  readonly #db: SqliteDatabase;
  readonly #probes: ProbeStore;
  readonly #instances: InstanceStore;
  readonly #clients: RcClientStore;
  readonly #signer: TargetsSigner;

  constructor(deps: { db: SqliteDatabase; probes: ProbeStore; instances: InstanceStore; clients: RcClientStore; signer: TargetsSigner }) {
    this.#db = deps.db;
    this.#probes = deps.probes;
    this.#instances = deps.instances;
    this.#clients = deps.clients;
    this.#signer = deps.signer;
  }

  handle(req: ConfigRequest, now = Date.now()): { response: ConfigResponse; problems: RcProblem[] } {
    validate(req);
    const c = req.client;
    const tracer = c.client_tracer!;
    const service = tracer.service ?? '';
    const env = tracer.env ?? '';
    const products = [...new Set(c.products ?? [])].sort();
    const files = this.#filesFor(service, env, products);
    const digest = createHash('sha256')
      .update(files.map((f) => `${f.path} ${f.sha256} ${f.v}`).join('\n'))
      .digest('hex');
    const clientVersion = c.state.targets_version ?? 0;
    const configStates: ConfigState[] = (c.state.config_states ?? []).map((s) => ({
      id: s.id,
      version: s.version ?? 0,
      product: s.product ?? '',
      applyState: s.apply_state ?? 0,
      applyError: s.apply_error ?? '',
    }));
    const problems: RcProblem[] = [];
    if (c.state.has_error) problems.push({ clientId: c.id, service, message: `client could not process the last response: ${c.state.error ?? ''}` });
    for (const s of configStates) {
      if (s.applyState === 3) problems.push({ clientId: c.id, service, message: `config ${s.product}/${s.id} v${s.version} failed to apply: ${s.applyError}` });
    }

    return this.#db.transaction(() => {
      this.#instances.upsert(
        {
          runtimeId: tracer.runtime_id,
          service,
          env,
          appVersion: tracer.app_version ?? '',
          language: tracer.language,
          tracerVersion: tracer.tracer_version ?? '',
          host: hostFromTags(tracer.tags),
          clientId: c.id,
          products,
        },
        now,
      );
      const prior = this.#clients.get(c.id);
      const productsChanged = !prior || prior.products.join(',') !== products.join(',');
      const sameView = prior !== null && prior.servedDigest === digest && !productsChanged;
      let version: number;
      if (sameView && clientVersion === prior.servedVersion) version = -1;
      else if (sameView && clientVersion < prior.servedVersion) version = prior.servedVersion; // resend what it missed
      else version = Math.max(prior?.servedVersion ?? 0, clientVersion) + 1;
      this.#clients.save({
        clientId: c.id,
        runtimeId: tracer.runtime_id,
        service,
        env,
        products,
        servedVersion: version === -1 ? prior!.servedVersion : version,
        servedDigest: digest,
        configStates,
        hasError: c.state.has_error === true,
        error: c.state.error ?? '',
        lastSeen: now,
      });
      if (version === -1) return { response: {}, problems };
      return { response: this.#response(req, files, version, now), problems };
    })();
  }

  #filesFor(service: string, env: string, products: readonly string[]): ServedFile[] {
    const files: ServedFile[] = [];
    const add = (path: string, content: string, v: number): void => {
      const raw = Buffer.from(content, 'utf8');
      files.push({ path, raw, sha256: createHash('sha256').update(raw).digest('hex'), v });
    };
    if (products.includes(LIVE_DEBUGGING)) {
      for (const probe of this.#probes.forClient(service, env)) {
        add(configPath(LIVE_DEBUGGING, probeConfigId(probe.type, probe.id)), probe.rcFile, probe.version);
      }
    }
    if (products.includes(LIVE_DEBUGGING_SYMBOL_DB)) {
      const upload = this.#instances.uploadSymbols(service);
      add(configPath(LIVE_DEBUGGING_SYMBOL_DB, SYMBOL_DB_CONFIG_ID), JSON.stringify({ upload_symbols: upload }), 1);
    }
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  #response(req: ConfigRequest, files: readonly ServedFile[], version: number, now: number): ConfigResponse {
    const targets: Record<string, unknown> = {};
    for (const f of files) targets[f.path] = { custom: { v: f.v }, hashes: { sha256: f.sha256 }, length: f.raw.length };
    const signed = {
      _type: 'targets',
      spec_version: '1.0.0',
      version,
      expires: new Date(now + TARGETS_LIFETIME_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      custom: { opaque_backend_state: Buffer.from(JSON.stringify({ periscope: { version } })).toString('base64') },
      targets,
    };
    const document = { signatures: [this.#signer.sign(signed)], signed };
    const cached = new Map<string, { length: number; sha256: string | undefined }>();
    for (const entry of req.cached_target_files ?? []) {
      cached.set(entry.path, { length: entry.length, sha256: entry.hashes?.find((h) => h.algorithm === 'sha256')?.hash });
    }
    const response: ConfigResponse = { targets: Buffer.from(JSON.stringify(document)).toString('base64') };
    const missing = files.filter((f) => {
      const have = cached.get(f.path);
      return !have || have.length !== f.raw.length || have.sha256 !== f.sha256;
    });
    if (missing.length > 0) response.target_files = missing.map((f) => ({ path: f.path, raw: f.raw.toString('base64') }));
    if (files.length > 0) response.client_configs = files.map((f) => f.path);
    return response;
  }
}
