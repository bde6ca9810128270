import { parseArgs } from 'node:util';
import type { ProbeView } from '../../probes/probe-view.js';
import type { ApiClient } from '../api-client.js';
import { ago, paint, statusStyle, table } from '../format.js';
import { CliError, type CliIo } from '../io.js';

export const PROBE_USAGE = `Usage:
  periscope probe add <file:line | Type/method> [options]
      --when <expr>          Condition, in the expression language (e.g. "order.total > 100")
      --when-json <json>     Condition as a JSON AST instead
      --snapshot             Capture arguments and locals
      --capture <name=expr>  Capture one expression (repeatable; instead of --snapshot)
      --template <text>      Log message, with {expr} placeholders
      --service <name>       Only instances of this service (default: all)
      --env <name>           Only instances in this env
      --rate <n>             Snapshots (or log lines) per second
  periscope probe ls [--service <name>]
  periscope probe rm <id | unique id prefix>
All accept --json.
`;

async function resolveId(client: ApiClient, idOrPrefix: string): Promise<string> {
  const { probes } = await client.json<{ probes: ProbeView[] }>('/api/v1/probes');
  if (probes.some((p) => p.id === idOrPrefix)) return idOrPrefix;
  const matches = probes.filter((p) => p.id.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) throw new CliError(`no probe with id ${idOrPrefix}: list them with \`periscope probe ls\``);
  throw new CliError(`"${idOrPrefix}" matches ${matches.length} probes: give more of the id`);
}

function statusSummary(p: ProbeView, color: boolean): string {
  const parts = Object.entries(p.statusCounts).map(([s, n]) => paint(`${n} ${s}`, statusStyle(s), color));
  return parts.length > 0 ? parts.join(', ') : paint('no instance yet', 'dim', color);
}

async function add(args: string[], client: ApiClient, io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      when: { type: 'string' },
      'when-json': { type: 'string' },
      snapshot: { type: 'boolean' },
      capture: { type: 'string', multiple: true },
      template: { type: 'string' },
      service: { type: 'string' },
      env: { type: 'string' },
      rate: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new CliError('probe add needs exactly one target, e.g. `periscope probe add src/orders.ts:42`', 2);
  const body: Record<string, unknown> = { target: positionals[0] };
  if (values.when !== undefined && values['when-json'] !== undefined) throw new CliError('give --when or --when-json, not both', 2);
  if (values.when !== undefined) body['when'] = values.when;
  if (values['when-json'] !== undefined) {
    try {
      body['when'] = { json: JSON.parse(values['when-json']) as unknown };
    } catch (err) {
      throw new CliError(`--when-json is not valid JSON: ${(err as Error).message}`, 2);
    }
  }
  if (values.snapshot) body['captureSnapshot'] = true;
  if (values.capture) {
    body['captureExpressions'] = values.capture.map((c) => {
      const i = c.indexOf('=');
      if (i <= 0) throw new CliError(`--capture "${c}" must look like name=expression`, 2);
      return { name: c.slice(0, i), expr: c.slice(i + 1) };
    });
  }
  if (values.template !== undefined) body['template'] = values.template;
  if (values.service !== undefined) body['service'] = values.service;
  if (values.env !== undefined) body['env'] = values.env;
  if (values.rate !== undefined) {
    const rate = Number(values.rate);
    if (!(rate > 0)) throw new CliError(`--rate must be a positive number, got "${values.rate}"`, 2);
    body['sampling'] = { snapshotsPerSecond: rate };
  }
  const probe = await client.json<ProbeView>('/api/v1/probes', { method: 'POST', body });
  if (values.json) io.out(`${JSON.stringify(probe)}\n`);
  else {
    io.out(`${paint('created', 'green', io.color)} probe ${probe.id} at ${probe.target}${probe.service ? ` for ${probe.service}` : ''}\n`);
    io.out(`watch it with \`periscope probe ls\` and \`periscope tail --probe ${probe.id.slice(0, 8)}\`\n`);
  }
  return 0;
}

async function list(args: string[], client: ApiClient, io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { service: { type: 'string' }, json: { type: 'boolean' } } });
  const query = values.service ? `?service=${encodeURIComponent(values.service)}` : '';
  const { probes } = await client.json<{ probes: ProbeView[] }>(`/api/v1/probes${query}`);
  if (values.json) {
    io.out(`${JSON.stringify(probes)}\n`);
    return 0;
  }
  if (probes.length === 0) {
    io.out('no probes: add one with `periscope probe add src/file.ts:42 --snapshot`\n');
    return 0;
  }
  const rows: string[][] = [];
  for (const p of probes) {
    const what = p.captureSnapshot ? 'snapshot' : (p.captureExpressions as unknown[]).length > 0 ? 'expressions' : 'log';
    rows.push([p.id.slice(0, 8), p.target, p.service ?? '*', `v${p.version}`, what, statusSummary(p, io.color)]);
    for (const inst of p.instances) {
      const status = inst.status ?? (inst.applyState === 3 ? 'RC ERROR' : 'pending');
      const detail = inst.exception?.message ?? (inst.applyError || inst.message);
      rows.push([
        '',
        paint(`└ ${inst.runtimeId.slice(0, 8)} ${inst.host || ''}`.trimEnd(), 'dim', io.color),
        inst.service,
        inst.probeVersion === null ? '' : `v${inst.probeVersion}`,
        paint(status, statusStyle(inst.status ?? (inst.applyState === 3 ? 'ERROR' : null)), io.color),
        `${ago(inst.statusUpdatedAt ?? inst.lastSeen)}${detail ? `  ${detail}` : ''}`,
      ]);
    }
  }
  io.out(table(['ID', 'TARGET', 'SERVICE', 'VER', 'CAPTURE', 'STATUS'], rows, io.color));
  return 0;
}

async function remove(args: string[], client: ApiClient, io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new CliError('probe rm needs one probe id (see `periscope probe ls`)', 2);
  const id = await resolveId(client, positionals[0]!);
  await client.json(`/api/v1/probes/${encodeURIComponent(id)}`, { method: 'DELETE' });
  io.out(values.json ? `${JSON.stringify({ deleted: id })}\n` : `deleted probe ${id}\n`);
  return 0;
}

export async function probeCommand(args: string[], client: ApiClient, io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return add(rest, client, io);
    case 'ls':
    case 'list':
      return list(rest, client, io);
    case 'rm':
    case 'remove':
    case 'delete':
      return remove(rest, client, io);
    case undefined:
    case '--help':
    case '-h':
      io.out(PROBE_USAGE);
      return sub === undefined ? 2 : 0;
    default:
      throw new CliError(`unknown probe command "${sub}": use add, ls or rm`, 2);
  }
}
