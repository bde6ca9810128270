import { SERVER_VERSION } from '../version.js';
import { ApiClient } from './api-client.js';
import { instancesCommand } from './commands/instances-command.js';
import { PROBE_USAGE, probeCommand } from './commands/probe-command.js';
import { serverCommand } from './commands/server-command.js';
import { SYMBOLS_USAGE, symbolsCommand } from './commands/symbols-command.js';
import { TAIL_USAGE, tailCommand } from './commands/tail-command.js';
import { CliError, type CliIo } from './io.js';

export const USAGE = `Usage: periscope <command> [options]

Commands:
  server                 Start the server (Datadog-agent-compatible intake + API)
  probe add|ls|rm        Manage probes
  tail                   Follow snapshots and log lines live
  symbols <query>        Search the symbol database
  instances              List running instances

Global options:
  --server <url>         Server to talk to (default http://127.0.0.1:8126, env PERISCOPE_SERVER)
  --admin-token <token>  Admin token for an exposed server (env PERISCOPE_ADMIN_TOKEN)
  --json                 Machine-readable output
  --help, --version

Examples:
  periscope server
  periscope probe add src/orders.ts:42 --when "order.total > 100" --snapshot
  periscope tail
`;

const DEFAULT_SERVER = 'http://127.0.0.1:8126';

/** Pulls the global options out wherever they appear, leaving the command's own arguments. */
function splitGlobals(argv: string[]): { server?: string; adminToken?: string; rest: string[] } {
  const rest: string[] = [];
  let server: string | undefined;
  let adminToken: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const take = (name: string): string | undefined => {
      if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
      if (arg === name) {
        const value = argv[++i];
        if (value === undefined) throw new CliError(`${name} needs a value`, 2);
        return value;
      }
      return undefined;
    };
    const s = take('--server');
    if (s !== undefined) {
      server = s;
      continue;
    }
    const t = take('--admin-token');
    if (t !== undefined) {
      adminToken = t;
      continue;
    }
    rest.push(arg);
  }
  return { server, adminToken, rest };
}

/** Runs one CLI invocation; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const [command, ...args] = argv;
    if (command === 'server') return await serverCommand(args, io);
    const globals = splitGlobals(args);
    const serverUrl = globals.server ?? io.env['PERISCOPE_SERVER'] ?? DEFAULT_SERVER;
    try {
      new URL(serverUrl);
    } catch {
      throw new CliError(`--server "${serverUrl}" is not a URL (expected e.g. ${DEFAULT_SERVER})`, 2);
    }
    const client = new ApiClient(serverUrl, globals.adminToken ?? io.env['PERISCOPE_ADMIN_TOKEN']);
    const help = (usage: string): number => {
      io.out(usage);
      return 0;
    };
    switch (command) {
      case 'probe':
      case 'probes':
        return await probeCommand(globals.rest, client, io);
      case 'tail':
        return await tailCommand(globals.rest, client, io);
      case 'symbols':
        return await symbolsCommand(globals.rest, client, io);
      case 'instances':
        return await instancesCommand(globals.rest, client, io);
      case '--version':
      case '-v':
        io.out(`${SERVER_VERSION}\n`);
        return 0;
      case 'help':
        return help(
          { probe: PROBE_USAGE, tail: TAIL_USAGE, symbols: SYMBOLS_USAGE }[globals.rest[0] ?? ''] ?? USAGE,
        );
      case undefined:
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command "${command}": run \`periscope --help\``, 2);
    }
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`periscope: ${err.message}\n`);
      return err.exitCode;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`periscope: ${(err as Error).message} (see \`periscope --help\`)\n`);
      return 2;
    }
    if (code === 'EADDRINUSE') {
      io.err(`periscope: the port is already in use: another server (or a Datadog agent) is running; pick one with --port\n`);
      return 1;
    }
    if (code === 'PERISCOPE_ERR_INSECURE_CONFIG') {
      io.err(`periscope: ${(err as Error).message}\n`);
      return 2;
    }
    io.err(`periscope: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
