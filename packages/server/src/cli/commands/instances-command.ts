import { parseArgs } from 'node:util';
import type { Instance } from '../../store/instance-store.js';
import type { ApiClient } from '../api-client.js';
import { ago, table } from '../format.js';
import type { CliIo } from '../io.js';

export async function instancesCommand(args: string[], client: ApiClient, io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { service: { type: 'string' }, json: { type: 'boolean' } } });
  const query = values.service ? `?service=${encodeURIComponent(values.service)}` : '';
  const { instances } = await client.json<{ instances: Instance[] }>(`/api/v1/instances${query}`);
  if (values.json) {
    io.out(`${JSON.stringify(instances)}\n`);
    return 0;
  }
  if (instances.length === 0) {
    io.out('no instances yet: start a service with the agent (or dd-trace) pointed at this server\n');
    return 0;
  }
  const rows = instances.map((i) => [i.service, i.runtimeId, i.host, i.env, i.appVersion, `${i.language} ${i.tracerVersion}`.trim(), ago(i.lastSeen)]);
  io.out(table(['SERVICE', 'RUNTIME ID', 'HOST', 'ENV', 'VERSION', 'TRACER', 'LAST SEEN'], rows, io.color));
  return 0;
}
