import { CliError } from './io.js';

/** Talks to a Periscope server's `/api/v1`, turning failures into errors that say what to do. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminToken: string | undefined,
  ) {}

  #headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = {};
    if (json) h['content-type'] = 'application/json';
    if (this.adminToken) h['authorization'] = `Bearer ${this.adminToken}`;
    return h;
  }

  async fetch(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<Response> {
    const url = new URL(path, this.baseUrl);
    let res: Response;
    try {
      res = await fetch(url, {
        method: init.method ?? 'GET',
        headers: this.#headers(init.body !== undefined),
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: init.signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new CliError(
        `cannot reach server at ${this.baseUrl}: start it with \`periscope server\`, or point --server (or PERISCOPE_SERVER) at a running one`,
      );
    }
    if (res.ok) return res;
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      // not JSON: keep the status line
    }
    if (res.status === 401) throw new CliError(`${message} (pass --admin-token or set PERISCOPE_ADMIN_TOKEN)`);
    throw new CliError(message);
  }

  async json<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const res = await this.fetch(path, init);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }
}
