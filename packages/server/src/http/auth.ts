import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ServerError } from '../errors/index.js';

function sameSecret(given: string, expected: string): boolean {
  // Compare digests so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearer(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1]!.trim() : null;
}

/** The password (or, failing that, the user) of HTTP Basic auth, e.g. from `http://KEY@host:8126`. */
function basicSecret(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Basic\s+(.+)$/i.exec(header.trim());
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  const user = i >= 0 ? decoded.slice(0, i) : decoded;
  const password = i >= 0 ? decoded.slice(i + 1) : '';
  return password || user || null;
}

/** Checks `/api/v1/*` requests against the admin token. */
export function checkAdmin(req: FastifyRequest, adminToken: string | null): void {
  if (!adminToken) return;
  const token = bearer(req);
  if (token === null || !sameSecret(token, adminToken)) {
    throw new ServerError('PERISCOPE_ERR_UNAUTHORIZED', 'this API needs the admin token: send "Authorization: Bearer <PERISCOPE_ADMIN_TOKEN>"');
  }
}

/** Checks tracer intake requests against the API key (`DD-API-KEY`; Basic auth and the admin token also work). */
export function checkIntake(req: FastifyRequest, apiKey: string | null, adminToken: string | null): void {
  if (!apiKey) return;
  const header = req.headers['dd-api-key'];
  const candidates = [typeof header === 'string' ? header : null, basicSecret(req)];
  if (candidates.some((c) => c !== null && sameSecret(c, apiKey))) return;
  const token = bearer(req);
  if (adminToken && token !== null && sameSecret(token, adminToken)) return;
  throw new ServerError('PERISCOPE_ERR_UNAUTHORIZED', 'intake needs the API key: send the "DD-API-KEY: <PERISCOPE_API_KEY>" header');
}
