import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors/index.js';
import { buildProbeJson, type ProbeSpec } from '../probes/probe-spec.js';
import { probeView } from '../probes/probe-view.js';
import type { ProbeBuilder } from '../store/probe-store.js';
import type { SymbolKind } from '../symbols/index-rows.js';
import { SERVER_VERSION } from '../version.js';
import type { ServerContext } from './context.js';
import { openEventStream } from './event-stream.js';
import { eventView } from './event-view.js';

const expression = { anyOf: [{ type: 'string', minLength: 1, maxLength: 4096 }, { type: 'object' }] } as const;
const captureLimits = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    maxReferenceDepth: { type: 'integer', minimum: 0, maximum: 20 },
    maxCollectionSize: { type: 'integer', minimum: 0, maximum: 10000 },
    maxFieldCount: { type: 'integer', minimum: 0, maximum: 10000 },
    maxLength: { type: 'integer', minimum: 0, maximum: 1048576 },
  },
} as const;
const optionalName = { type: ['string', 'null'], maxLength: 200 } as const;

/** The probe create/update body. Unknown keys are errors, so typos do not silently do nothing. */
const probeSpecSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    target: { type: 'string', minLength: 1, maxLength: 1024 },
    where: {
      type: 'object',
      additionalProperties: false,
      properties: {
        sourceFile: { type: 'string', minLength: 1, maxLength: 1024 },
        line: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[0-9]+$' }] },
        typeName: { type: 'string', minLength: 1, maxLength: 512 },
        methodName: { type: 'string', minLength: 1, maxLength: 512 },
      },
    },
    service: optionalName,
    env: optionalName,
    when: { anyOf: [expression, { type: 'null' }] },
    template: { type: ['string', 'null'], maxLength: 8192 },
    segments: { type: ['array', 'null'], maxItems: 256, items: { type: 'object' } },
    captureSnapshot: { type: 'boolean' },
    captureExpressions: {
      type: ['array', 'null'],
      maxItems: 100,
      items: {
        type: 'object',
        required: ['name', 'expr'],
        additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1, maxLength: 256 }, expr: expression, capture: captureLimits },
      },
    },
    sampling: {
      type: ['object', 'null'],
      required: ['snapshotsPerSecond'],
      additionalProperties: false,
      properties: { snapshotsPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 1000000 } },
    },
    capture: captureLimits,
    evaluateAt: { enum: ['ENTRY', 'EXIT', 'DEFAULT'] },
    tags: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 512 } },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 256 } } } as const;
const serviceQuery = { type: 'object', additionalProperties: false, properties: { service: { type: 'string', maxLength: 200 } } } as const;
const eventQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    probeId: { type: 'string', maxLength: 256 },
    service: { type: 'string', maxLength: 200 },
    kind: { enum: ['snapshot', 'log'] },
    since: { type: 'integer', minimum: 0 },
    until: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;
const streamQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { probeId: { type: 'string', maxLength: 256 }, service: { type: 'string', maxLength: 200 } },
} as const;
const KINDS = ['file', 'class', 'function', 'parameter', 'local', 'field'] as const;
const symbolQuery = {
  type: 'object',
  required: ['q'],
  additionalProperties: false,
  properties: {
    q: { type: 'string', minLength: 1, maxLength: 256 },
    service: { type: 'string', maxLength: 200 },
    version: { type: 'string', maxLength: 200 },
    kind: { type: 'array', items: { enum: KINDS } },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 20 },
  },
} as const;

/** Merges a PATCH body into a stored spec: null clears a field; `target` and `where` replace each other. */
function mergeSpec(current: ProbeSpec, patch: ProbeSpec): ProbeSpec {
  const merged: Record<string, unknown> = { ...current };
  if (patch.target !== undefined) delete merged['where'];
  if (patch.where !== undefined) delete merged['target'];
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged as ProbeSpec;
}

/** Drops null fields, so a stored spec only holds what was set. */
function compactSpec(spec: ProbeSpec): ProbeSpec {
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== null && v !== undefined)) as ProbeSpec;
}

/** The people-facing JSON API under `/api/v1` (documented in openapi.yaml). */
export async function apiRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const startedAt = Date.now();
  const build: ProbeBuilder = (id, version, spec) => buildProbeJson(id, version, spec, ctx.dsl);
  const view = (p: Parameters<typeof probeView>[0]) => probeView(p, ctx);

  app.get('/health', async () => ({
    status: 'ok',
    version: SERVER_VERSION,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    dslCompiler: ctx.dsl !== null,
  }));

  app.get('/probes', { schema: { querystring: serviceQuery } }, async (req) => {
    const { service } = req.query as { service?: string };
    return { probes: ctx.probes.list(service).map(view) };
  });

  app.post('/probes', { schema: { body: probeSpecSchema } }, async (req, reply) => {
    const probe = ctx.probes.create(compactSpec(req.body as ProbeSpec), build);
    reply.code(201).header('location', `/api/v1/probes/${encodeURIComponent(probe.id)}`);
    return view(probe);
  });

  app.get('/probes/:id', { schema: { params: idParams } }, async (req) => {
    const { id } = req.params as { id: string };
    const probe = ctx.probes.get(id);
    if (!probe) throw notFound(`no probe with id ${id}`);
    return view(probe);
  });

  const update = (replace: boolean) => async (req: { params: unknown; body: unknown }) => {
    const { id } = req.params as { id: string };
    const current = ctx.probes.get(id);
    if (!current) throw notFound(`no probe with id ${id}`);
    const spec = replace ? compactSpec(req.body as ProbeSpec) : mergeSpec(current.spec, req.body as ProbeSpec);
    const probe = ctx.probes.update(id, spec, build);
    if (!probe) throw notFound(`no probe with id ${id}`);
    return view(probe);
  };
  app.patch('/probes/:id', { schema: { params: idParams, body: probeSpecSchema } }, update(false));
  app.put('/probes/:id', { schema: { params: idParams, body: probeSpecSchema } }, update(true));

  app.delete('/probes/:id', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!ctx.probes.delete(id)) throw notFound(`no probe with id ${id}`);
    reply.code(204);
  });

  app.get('/probes/:id/statuses', { schema: { params: idParams } }, async (req) => {
    const { id } = req.params as { id: string };
    const probe = ctx.probes.get(id);
    if (!probe) throw notFound(`no probe with id ${id}`);
    return { probeId: id, version: probe.version, instances: view(probe).instances };
  });

  app.get('/events', { schema: { querystring: eventQuery } }, async (req) => {
    const q = req.query as { probeId?: string; service?: string; kind?: 'snapshot' | 'log'; since?: number; until?: number; limit: number };
    return { events: ctx.events.query(q).map(eventView) };
  });

  app.get('/events/stream', { schema: { querystring: streamQuery } }, async (req, reply) => {
    openEventStream(req, reply, ctx.bus, req.query as { probeId?: string; service?: string });
  });

  app.get('/events/:id', { schema: { params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } } } }, async (req) => {
    const { id } = req.params as { id: number };
    const event = ctx.events.get(id);
    if (!event) throw notFound(`no event with id ${id}`);
    return eventView(event);
  });

  app.get('/instances', { schema: { querystring: serviceQuery } }, async (req) => {
    const { service } = req.query as { service?: string };
    return { instances: ctx.instances.list(service) };
  });

  app.get('/services', async () => ({ services: ctx.instances.services() }));

  app.put(
    '/services/:service/settings',
    {
      schema: {
        params: { type: 'object', properties: { service: { type: 'string', minLength: 1, maxLength: 200 } } },
        body: { type: 'object', required: ['uploadSymbols'], additionalProperties: false, properties: { uploadSymbols: { type: 'boolean' } } },
      },
    },
    async (req) => {
      const { service } = req.params as { service: string };
      const { uploadSymbols } = req.body as { uploadSymbols: boolean };
      ctx.instances.setUploadSymbols(service, uploadSymbols);
      return { service, uploadSymbols };
    },
  );

  app.get('/symbols/search', { schema: { querystring: symbolQuery } }, async (req) => {
    const q = req.query as { q: string; service?: string; version?: string; kind?: SymbolKind[]; limit: number };
    return ctx.symbols.searchDetailed({ query: q.q, service: q.service, version: q.version, kinds: q.kind, limit: q.limit });
  });

  app.get(
    '/symbols/files',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['service'],
          additionalProperties: false,
          properties: { service: { type: 'string', maxLength: 200 }, version: { type: 'string', maxLength: 200 } },
        },
      },
    },
    async (req) => {
      const q = req.query as { service: string; version?: string };
      return { files: ctx.symbols.files(q.service, q.version) };
    },
  );

  app.get(
    '/symbols/file',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['service', 'path'],
          additionalProperties: false,
          properties: {
            service: { type: 'string', maxLength: 200 },
            path: { type: 'string', maxLength: 4096 },
            version: { type: 'string', maxLength: 200 },
            hash: { type: 'string', maxLength: 128 },
          },
        },
      },
    },
    async (req) => {
      const q = req.query as { service: string; path: string; version?: string; hash?: string };
      const file = ctx.symbols.file(q.service, q.path, { version: q.version, fileHash: q.hash });
      if (!file) throw notFound(`no symbols for ${q.path} in service ${q.service}`);
      return file;
    },
  );
}
