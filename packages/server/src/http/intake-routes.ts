import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import multipart, { type Multipart } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServerError, badRequest, payloadTooLarge } from '../errors/index.js';
import { gunzipBounded, looksGzipped } from '../intake/bounded-gunzip.js';
import { parseDdtags, sortIntakeItems } from '../intake/probe-events.js';
import { parseSymbolAttachment } from '../intake/symbol-upload.js';
import type { ConfigRequest } from '../remote-config/config-endpoint.js';
import { agentInfo } from './agent-info.js';
import type { ServerContext } from './context.js';

const configRequestSchema = {
  type: 'object',
  required: ['client'],
  properties: {
    client: {
      type: 'object',
      required: ['id', 'state'],
      properties: {
        id: { type: 'string' },
        products: { type: 'array', items: { type: 'string' }, maxItems: 100 },
        is_tracer: { type: 'boolean' },
        capabilities: { type: 'string' },
        state: {
          type: 'object',
          properties: {
            root_version: { type: 'integer' },
            targets_version: { type: 'integer', minimum: 0 },
            config_states: {
              type: 'array',
              maxItems: 10000,
              items: {
                type: 'object',
                required: ['id'],
                properties: {
                  id: { type: 'string' },
                  version: { type: 'integer' },
                  product: { type: 'string' },
                  apply_state: { type: 'integer', minimum: 0, maximum: 3 },
                  apply_error: { type: 'string' },
                },
              },
            },
            has_error: { type: 'boolean' },
            error: { type: 'string' },
            backend_client_state: { type: 'string' },
          },
        },
        client_tracer: {
          type: 'object',
          required: ['runtime_id', 'language'],
          properties: {
            runtime_id: { type: 'string', minLength: 1 },
            language: { type: 'string' },
            tracer_version: { type: 'string' },
            service: { type: 'string' },
            env: { type: 'string' },
            app_version: { type: 'string' },
            tags: { type: 'array', items: { type: 'string' } },
            extra_services: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    cached_target_files: {
      type: 'array',
      maxItems: 10000,
      items: {
        type: 'object',
        required: ['path'],
        properties: {
          path: { type: 'string' },
          length: { type: 'integer' },
          hashes: {
            type: 'array',
            items: { type: 'object', properties: { algorithm: { type: 'string' }, hash: { type: 'string' } } },
          },
        },
      },
    },
  },
} as const;

const eventArraySchema = { type: 'array', maxItems: 100000, items: {} } as const;
const ddtagsQuerySchema = { type: 'object', properties: { ddtags: { type: 'string', maxLength: 8192 } } } as const;

/** Decodes `Content-Encoding: gzip` JSON bodies as a stream, so the body limit applies to the inflated bytes. */
function inflateIfGzipped(req: FastifyRequest, payload: Readable): Readable {
  const encoding = req.headers['content-encoding'];
  if (encoding === undefined || encoding === 'identity') return payload;
  if (encoding !== 'gzip') {
    throw new ServerError('PERISCOPE_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding}" is not supported: send gzip or identity`);
  }
  const inflated = createGunzip() as unknown as Readable & { receivedEncodedLength: number };
  inflated.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => {
    inflated.receivedEncodedLength += chunk.length;
  });
  payload.on('error', (err) => inflated.destroy(err));
  payload.pipe(inflated as unknown as NodeJS.WritableStream);
  return inflated;
}

function partsCapExceeded(req: FastifyRequest, cap: number): boolean {
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > cap;
}

/**
 * Counts the bytes of every part a multipart request streams, across all its parts, and throws
 * 413 as soon as they exceed the cap. Content-Length is only a shortcut: a chunked upload has
 * none, and per-part limits alone would let one request buffer `files × fileSize`.
 */
class PartBudget {
  #used = 0;
  constructor(
    readonly cap: number,
    readonly what: string,
  ) {}

  /** Reads one part into memory, charging its bytes to the request as they arrive. */
  async read(part: Multipart): Promise<Buffer> {
    if (part.type !== 'file') {
      const data = Buffer.from(String(part.value));
      this.#charge(data.length);
      return data;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      this.#charge(chunk.length);
      chunks.push(chunk);
    }
    // busboy ends a file stream at its per-file limit instead of failing.
    if (part.file.truncated) throw payloadTooLarge(`${this.what} exceeds the ${this.cap}-byte limit`);
    return Buffer.concat(chunks);
  }

  #charge(bytes: number): void {
    this.#used += bytes;
    if (this.#used > this.cap) throw payloadTooLarge(`${this.what} exceeds the ${this.cap}-byte limit`);
  }
}

/**
 * The endpoints a Datadog agent offers tracers for live debugging: Remote Config, probe events,
 * probe statuses and Symbol Database uploads.
 */
export async function intakeRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { options } = ctx;
  await app.register(multipart, {
    limits: { fileSize: options.bodyLimitBytes, fieldSize: options.bodyLimitBytes, parts: 64, files: 32, fields: 32 },
  });
  app.addHook('preParsing', async (req, _reply, payload) => inflateIfGzipped(req, payload));

  app.get('/info', async () => agentInfo(options));

  app.post('/v0.7/config', { schema: { body: configRequestSchema } }, async (req) => {
    const { response, problems } = ctx.config.handle(req.body as ConfigRequest);
    for (const p of problems) options.log('warn', `remote config client ${p.clientId} (${p.service || 'no service'}): ${p.message}`);
    return response;
  });

  const storeItems = (items: unknown[], query: { ddtags?: string }): { stored: number; statuses: number; rejected: string[] } => {
    const batch = sortIntakeItems(items, parseDdtags(query.ddtags));
    if (batch.events.length === 0 && batch.statuses.length === 0 && batch.rejected.length > 0) {
      throw badRequest(`no valid items: ${batch.rejected.slice(0, 5).join('; ')}`);
    }
    const stored = batch.events.length > 0 ? ctx.events.insert(batch.events) : [];
    const statuses = batch.statuses.length > 0 ? ctx.statuses.record(batch.statuses) : 0;
    for (const e of batch.events) ctx.instances.touchService(e.service);
    for (const [runtimeId, host] of batch.hosts) ctx.instances.noteHost(runtimeId, host);
    ctx.bus.publish(stored);
    if (stored.length > 0) ctx.afterEventsStored(stored.length);
    return { stored: stored.length, statuses, rejected: batch.rejected };
  };

  for (const path of ['/debugger/v1/input', '/debugger/v2/input']) {
    app.post(path, { schema: { body: eventArraySchema, querystring: ddtagsQuerySchema } }, async (req, reply) => {
      reply.code(202);
      return storeItems(req.body as unknown[], req.query as { ddtags?: string });
    });
  }

  // Statuses arrive as multipart (an `event` part holding a JSON array); probe events arrive
  // here as a plain JSON array when a tracer falls back from /debugger/v2/input.
  app.post('/debugger/v1/diagnostics', { schema: { querystring: ddtagsQuerySchema } }, async (req, reply) => {
    const items: unknown[] = [];
    if (req.isMultipart()) {
      const what = 'request body';
      if (partsCapExceeded(req, options.bodyLimitBytes)) throw payloadTooLarge(`${what} exceeds the ${options.bodyLimitBytes}-byte limit`);
      const budget = new PartBudget(options.bodyLimitBytes, what);
      for await (const part of req.parts()) {
        const text = (await budget.read(part)).toString('utf8');
        if (part.fieldname !== 'event') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (err) {
          throw badRequest(`part "event" is not valid JSON: ${(err as Error).message}`);
        }
        if (!Array.isArray(parsed)) throw badRequest('part "event" must hold a JSON array of diagnostics');
        items.push(...(parsed as unknown[]));
      }
      if (items.length === 0) throw badRequest('multipart body has no "event" part with diagnostics');
    } else if (Array.isArray(req.body)) {
      items.push(...(req.body as unknown[]));
    } else {
      throw badRequest('expected multipart/form-data with an "event" part, or a JSON array of events');
    }
    reply.code(202);
    return storeItems(items, req.query as { ddtags?: string });
  });

  app.post('/symdb/v1/input', { bodyLimit: options.symbolUploadLimitBytes }, async (req, reply) => {
    if (!req.isMultipart()) throw badRequest('expected multipart/form-data with "event" and "file" parts');
    if (partsCapExceeded(req, options.symbolUploadLimitBytes)) {
      throw payloadTooLarge(`symbol upload exceeds the ${options.symbolUploadLimitBytes}-byte limit`);
    }
    const budget = new PartBudget(options.symbolUploadLimitBytes, 'symbol upload');
    const events: Array<Record<string, unknown>> = [];
    const files: Array<{ name: string; data: Buffer }> = [];
    for await (const part of req.parts({ limits: { fileSize: options.symbolUploadLimitBytes } })) {
      const data = await budget.read(part);
      if (part.fieldname === 'event') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(data.toString('utf8'));
        } catch (err) {
          throw badRequest(`part "event" is not valid JSON: ${(err as Error).message}`);
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('part "event" must be a JSON object');
        events.push(parsed as Record<string, unknown>);
      } else if (part.fieldname === 'file') {
        files.push({ name: part.type === 'file' ? part.filename : 'file', data });
      }
    }
    if (files.length === 0) throw badRequest('symbol upload has no "file" part');
    // Decode and validate everything before storing anything: a bad batch stores nothing.
    // The inflation cap holds for the request as a whole, so many parts cannot multiply it.
    const attachments = [];
    let inflated = 0;
    for (let i = 0; i < files.length; i++) {
      const { name, data } = files[i]!;
      const what = `file part ${i + 1} (${name})`;
      const left = options.maxInflatedBytes - inflated;
      const raw = looksGzipped(data) ? await gunzipBounded(data, left, what, options.maxInflatedBytes) : data;
      inflated += raw.length;
      if (inflated > options.maxInflatedBytes) {
        throw payloadTooLarge(`the files of this symbol upload hold more than ${options.maxInflatedBytes} bytes in total (the server's decompression limit)`);
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw badRequest(`${what} is neither gzip nor JSON: ${(err as Error).message}`);
      }
      attachments.push(parseSymbolAttachment(json, events[i] ?? events[0] ?? null, what));
    }
    const result = { added: 0, merged: 0, unchanged: 0 };
    for (const a of attachments) {
      ctx.instances.touchService(a.service);
      const r = ctx.symbols.upload({ service: a.service, version: a.version, language: a.language }, a.scopes);
      result.added += r.added;
      result.merged += r.merged;
      result.unchanged += r.unchanged;
    }
    reply.code(202);
    return result;
  });
}
