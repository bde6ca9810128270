import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from '../../src/index.js';

export interface TestServer {
  url: string;
  dataDir: string;
  server: RunningServer;
  /** Closes and starts again on the same data directory, port and options. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A real server on port 0 in a fresh temporary data directory, removed on close. */
export async function startTestServer(options: Omit<ServerOptions, 'port' | 'dataDir'> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'periscope-test-'));
  const opts: ServerOptions = { dslCompiler: null, ...options, port: 0, dataDir };
  const t: TestServer = {
    url: '',
    dataDir,
    server: await startServer(opts),
    async restart() {
      const port = t.server.port;
      await t.server.close();
      t.server = await startServer({ ...opts, port });
      t.url = t.server.url;
    },
    async close() {
      await t.server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  t.url = t.server.url;
  return t;
}

/** fetch + JSON, returning status and parsed body (or null). */
export async function http(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: RequestInit['body'] } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  let body: RequestInit['body'] = init.raw;
  if (init.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(init.body);
  }
  const request = () => fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  let res: Response;
  try {
    res = await request();
  } catch (err) {
    // After a server restart on the same port, fetch may pick a pooled socket the old server
    // closed; that fails before the request is sent, so one retry on a fresh socket is safe.
    if ((err as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw err;
    res = await request();
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A small fake of the agent's DSL parser, enough to exercise the server's wiring. */
export const fakeDsl = {
  compile(text: string): unknown {
    const m = /^([\w.]+)\s*(>|<|==)\s*(\d+)$/.exec(text.trim());
    if (m) {
      const op = { '>': 'gt', '<': 'lt', '==': 'eq' }[m[2] as '>' | '<' | '=='];
      return { [op]: [ref(m[1]!), Number(m[3])] };
    }
    if (/^[\w.]+$/.test(text.trim())) return ref(text.trim());
    throw new Error(`unexpected token in "${text}"`);
  },
};

function ref(path: string): unknown {
  const [head, ...rest] = path.split('.');
  return rest.reduce<unknown>((acc, key) => ({ getmember: [acc, key] }), { ref: head });
}
