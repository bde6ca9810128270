import type { FastifyInstance } from 'fastify';
import { payloadTooLarge } from '../errors/index.js';
import type { ServerContext } from './context.js';

/**
 * Endpoints tracers call that Periscope has no use for (traces, stats, telemetry, profiles,
 * metrics, EVP proxy, flares). They answer success so tracers stay quiet; bodies (often
 * msgpack) are drained unparsed, within the body limit.
 */
export async function ignoredRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const limit = ctx.options.bodyLimitBytes;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (req, payload, done) => {
    const declared = Number(req.headers['content-length']);
    let received = 0;
    let answered = false;
    const finish = (err: Error | null): void => {
      if (answered) return;
      answered = true;
      done(err, undefined);
    };
    if (Number.isFinite(declared) && declared > limit) finish(payloadTooLarge(`request body exceeds the ${limit}-byte limit`));
    // Keep draining after answering 413, so the client sees the response rather than a reset.
    payload.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) finish(payloadTooLarge(`request body exceeds the ${limit}-byte limit`));
    });
    payload.on('end', () => finish(null));
    payload.on('error', (err) => finish(err));
  });

  const traces = async (): Promise<unknown> => ({ rate_by_service: {} });
  const accepted = async (_req: unknown, reply: { code(n: number): unknown }): Promise<unknown> => {
    reply.code(202);
    return {};
  };
  for (const path of ['/v0.3/traces', '/v0.4/traces', '/v0.5/traces', '/v0.7/traces']) {
    app.route({ method: ['PUT', 'POST'], url: path, handler: traces });
  }
  for (const path of [
    '/v0.6/stats',
    '/v0.1/pipeline_stats',
    '/telemetry/proxy/*',
    '/profiling/v1/input',
    '/dogstatsd/v2/proxy',
    '/evp_proxy/v2/*',
    '/evp_proxy/v4/*',
    '/tracer_flare/v1',
  ]) {
    app.route({ method: ['PUT', 'POST'], url: path, handler: accepted });
  }
}
