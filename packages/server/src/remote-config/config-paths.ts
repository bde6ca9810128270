/**
 * Remote Config path grammar: `datadog/<org_id>/<PRODUCT>/<config_id>/<name>`
 * (shared/reference/remote-config.md §4). Periscope serves a single organisation.
 */
export const ORG_ID = 2;

export const LIVE_DEBUGGING = 'LIVE_DEBUGGING';
export const LIVE_DEBUGGING_SYMBOL_DB = 'LIVE_DEBUGGING_SYMBOL_DB';

const CAMEL_TYPE: Record<string, string> = {
  LOG_PROBE: 'logProbe',
  METRIC_PROBE: 'metricProbe',
  SPAN_PROBE: 'spanProbe',
  SPAN_DECORATION_PROBE: 'spanDecorationProbe',
};

/** `logProbe_<probeId>`: the config id clients report back in `config_states`. */
export function probeConfigId(type: string, probeId: string): string {
  return `${CAMEL_TYPE[type] ?? 'logProbe'}_${probeId}`;
}

export function configPath(product: string, configId: string): string {
  return `datadog/${ORG_ID}/${product}/${configId}/config`;
}

/** The symbol-upload trigger file; Java checks the `symDb` id. */
export const SYMBOL_DB_CONFIG_ID = 'symDb';
