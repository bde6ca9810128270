import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT } from '../../config/server-options.js';
import { startServer } from '../../server.js';
import { CliError, type CliIo } from '../io.js';

export const SERVER_USAGE = `Usage: periscope server [options]

Starts the Periscope server: a Datadog-agent-compatible endpoint for tracers plus the HTTP API.

Options:
  --port <n>               Port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <addr>            Address to bind (default ${DEFAULT_HOST}); a non-loopback address needs
                           --admin-token and --api-key
  --data-dir <dir>         Database location (default ${DEFAULT_DATA_DIR})
  --admin-token <token>    Required as "Authorization: Bearer" on /api/v1 (env PERISCOPE_ADMIN_TOKEN)
  --api-key <key>          Required as "DD-API-KEY" on intake (env PERISCOPE_API_KEY)
  --body-limit <bytes>     Largest request body (default 10485760)
  --retention-days <n>     Delete snapshots and logs older than this (default 7)
  --retention-events <n>   Keep at most this many snapshots and logs (default 100000)
  --instance-days <n>      Forget instances not seen for this many days (default 7)
  --json                   Print the startup line as JSON
`;

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`--${name} must be a non-negative number, got "${value}"`, 2);
  return n;
}

export async function serverCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'admin-token': { type: 'string' },
      'api-key': { type: 'string' },
      'body-limit': { type: 'string' },
      'retention-days': { type: 'string' },
      'retention-events': { type: 'string' },
      'instance-days': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(SERVER_USAGE);
    return 0;
  }
  const days = integer(values['retention-days'], 'retention-days');
  const instanceDays = integer(values['instance-days'], 'instance-days');
  const server = await startServer({
    port: integer(values.port, 'port') ?? DEFAULT_PORT,
    host: values.host ?? DEFAULT_HOST,
    dataDir: values['data-dir'] ?? io.env['PERISCOPE_DATA_DIR'] ?? DEFAULT_DATA_DIR,
    adminToken: values['admin-token'] ?? io.env['PERISCOPE_ADMIN_TOKEN'],
    apiKey: values['api-key'] ?? io.env['PERISCOPE_API_KEY'],
    bodyLimitBytes: integer(values['body-limit'], 'body-limit'),
    retention: {
      maxAgeMs: days === undefined ? undefined : days * 24 * 3600 * 1000,
      maxEvents: integer(values['retention-events'], 'retention-events'),
      instanceMaxAgeMs: instanceDays === undefined ? undefined : instanceDays * 24 * 3600 * 1000,
    },
    log: (level, message) => {
      if (level !== 'info') io.err(`periscope ${level}: ${message}\n`);
    },
  });
  if (values.json) io.out(`${JSON.stringify({ url: server.url, dataDir: server.dataDir })}\n`);
  else {
    io.out(`periscope server listening on ${server.url} (data: ${server.dataDir})\n`);
    io.out(`point tracers at it with DD_TRACE_AGENT_URL=${server.url}\n`);
  }
  await io.interrupted;
  await server.close();
  return 0;
}
