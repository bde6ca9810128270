import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ServerError } from '../errors/index.js';
import { apiRoutes } from './api-routes.js';
import { checkAdmin, checkIntake } from './auth.js';
import type { ServerContext } from './context.js';
import { closeEventStreams } from './event-stream.js';
import { ignoredRoutes } from './ignored-routes.js';
import { intakeRoutes } from './intake-routes.js';

/** `body/when must match a schema in anyOf` → a sentence naming the field, including unknown keys. */
function validationMessage(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return err.message;
  const where = `${err.validationContext ?? 'request'}${first.instancePath ? first.instancePath.replaceAll('/', '.') : ''}`;
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties') return `${where} has an unknown property "${String(params['additionalProperty'])}"`;
  if (first.keyword === 'required') return `${where} is missing the required property "${String(params['missingProperty'])}"`;
  return `${where} ${first.message ?? 'is invalid'}`;
}

/** Builds the HTTP application: agent-compatible intake at the root, the JSON API under /api/v1. */
export async function buildApp(ctx: ServerContext): Promise<FastifyInstance> {
  const { options } = ctx;
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    forceCloseConnections: true,
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (ServerError.is(err)) return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message } });
    if (err.validation) return reply.code(400).send({ error: { code: 'PERISCOPE_ERR_BAD_REQUEST', message: validationMessage(err) } });
    const status = err.statusCode ?? 500;
    if (status === 413) {
      return reply.code(413).send({
        error: {
          code: 'PERISCOPE_ERR_PAYLOAD_TOO_LARGE',
          message: `request body exceeds the server's ${options.bodyLimitBytes}-byte limit (raise it with --body-limit)`,
        },
      });
    }
    if (status >= 400 && status < 500) {
      const code = status === 415 ? 'PERISCOPE_ERR_UNSUPPORTED_MEDIA_TYPE' : status === 404 ? 'PERISCOPE_ERR_NOT_FOUND' : 'PERISCOPE_ERR_BAD_REQUEST';
      return reply.code(status).send({ error: { code, message: err.message } });
    }
    options.log('error', `${req.method} ${req.url} failed: ${err.stack ?? err.message}`);
    return reply.code(500).send({ error: { code: 'PERISCOPE_ERR_INTERNAL', message: 'internal server error; see the server log' } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'PERISCOPE_ERR_NOT_FOUND', message: `no route for ${req.method} ${req.url.split('?')[0]}` } });
  });

  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0] ?? '';
    if (path === '/api/v1/health') return;
    if (path.startsWith('/api/')) checkAdmin(req, options.adminToken);
    else checkIntake(req, options.apiKey, options.adminToken);
  });
  app.addHook('preClose', async () => closeEventStreams(ctx.bus));

  await app.register(async (scope) => intakeRoutes(scope, ctx));
  await app.register(async (scope) => ignoredRoutes(scope, ctx));
  await app.register(async (scope) => apiRoutes(scope, ctx), { prefix: '/api/v1' });
  return app;
}
