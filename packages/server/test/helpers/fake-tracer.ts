import { createHash, randomUUID } from 'node:crypto';
import { http } from './test-server.js';

interface Applied {
  path: string;
  sha256: string;
  length: number;
  v: number;
  id: string;
  product: string;
  content: unknown;
}

export interface PollResult {
  /** The raw response body. */
  response: Record<string, any>;
  /** Decoded targets document, when present. */
  targets: any | null;
  inserted: string[];
  updated: string[];
  deleted: string[];
}

/**
 * A Remote Config client that behaves like dd-trace-js, plus the hash and length checks
 * dd-trace-py does: it fails loudly on any response a real tracer would reject.
 */
export class FakeTracer {
  readonly clientId = randomUUID();
  readonly runtimeId = randomUUID();
  readonly applied = new Map<string, Applied>();
  targetsVersion = 0;
  backendState = '';
  applyErrors = new Map<string, string>();
  /** Sent in `client_tracer.tags` after `runtime-id:…`; dd-trace-js sends no host tag. */
  tags = ['host:test-host'];

  constructor(
    /** Writable, so one tracer can follow a server restarted on another port. */
    public url: string,
    readonly identity: { service: string; env?: string; version?: string },
    public products: string[] = ['LIVE_DEBUGGING'],
  ) {}

  requestBody(): Record<string, unknown> {
    const states = [...this.applied.values()].map((a) => ({
      id: a.id,
      version: a.v,
      product: a.product,
      apply_state: this.applyErrors.has(a.path) ? 3 : 2,
      apply_error: this.applyErrors.get(a.path) ?? '',
    }));
    return {
      client: {
        state: {
          root_version: 1,
          targets_version: this.targetsVersion,
          config_states: states,
          has_error: false,
          error: '',
          backend_client_state: this.backendState,
        },
        id: this.clientId,
        products: this.products,
        is_tracer: true,
        client_tracer: {
          runtime_id: this.runtimeId,
          language: 'node',
          tracer_version: '6.0.0',
          service: this.identity.service,
          env: this.identity.env ?? 'test',
          app_version: this.identity.version ?? '1.0.0',
          tags: [`runtime-id:${this.runtimeId}`, ...this.tags],
          extra_services: [],
        },
        capabilities: 'AkAAAAAA',
      },
      cached_target_files: [...this.applied.values()].map((a) => ({
        path: a.path,
        length: a.length,
        hashes: [{ algorithm: 'sha256', hash: a.sha256 }],
      })),
    };
  }

  async poll(): Promise<PollResult> {
    const res = await http(`${this.url}/v0.7/config`, { body: this.requestBody() });
    if (res.status !== 200) throw new Error(`config poll failed: ${res.status} ${JSON.stringify(res.body)}`);
    const response = res.body as Record<string, any>;
    const result: PollResult = { response, targets: null, inserted: [], updated: [], deleted: [] };
    if (!response['targets']) return result;
    const targets = JSON.parse(Buffer.from(response['targets'], 'base64').toString('utf8'));
    result.targets = targets;
    const paths: string[] = response['client_configs'] ?? [];
    const files = new Map<string, string>((response['target_files'] ?? []).map((f: any) => [f.path, f.raw]));
    for (const path of [...this.applied.keys()]) {
      if (!paths.includes(path)) {
        this.applied.delete(path);
        result.deleted.push(path);
      }
    }
    for (const path of paths) {
      const meta = targets.signed.targets[path];
      if (!meta) throw new Error(`Unable to find target for path ${path}`);
      const current = this.applied.get(path);
      if (current && current.sha256 === meta.hashes.sha256) continue;
      const raw = files.get(path);
      if (raw === undefined) throw new Error(`Unable to find file for path ${path}`);
      const bytes = Buffer.from(raw, 'base64');
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (sha !== meta.hashes.sha256) throw new Error(`mismatch between target ${path} hashes`);
      if (bytes.length !== meta.length) throw new Error(`length mismatch for ${path}`);
      const m = /^datadog\/(\d+)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
      if (!m) throw new Error(`Unable to parse path ${path}`);
      this.applied.set(path, {
        path,
        sha256: sha,
        length: bytes.length,
        v: meta.custom.v,
        id: m[3]!,
        product: m[2]!,
        content: JSON.parse(bytes.toString('utf8')),
      });
      (current ? result.updated : result.inserted).push(path);
    }
    this.targetsVersion = targets.signed.version;
    this.backendState = targets.signed.custom.opaque_backend_state;
    return result;
  }
}
