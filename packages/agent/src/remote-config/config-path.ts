/**
 * Remote Config paths (shared/reference/remote-config.md §4):
 * `datadog/<org_id>/<PRODUCT>/<config_id>/<name>` and `employee/<PRODUCT>/<config_id>/<name>`.
 */

export interface ConfigPath {
  source: 'datadog' | 'employee';
  /** Decimal org id; absent for `employee/` paths. */
  orgId: string | undefined;
  product: string;
  /** The `<config_id>` segment: the `id` reported in `config_states`. */
  id: string;
  name: string;
}

const DATADOG = /^datadog\/(\d+)\/([^/]+)\/([^/]+)\/([^/]+)$/;
const EMPLOYEE = /^employee\/([^/]+)\/([^/]+)\/([^/]+)$/;

/** Parses a config path; `undefined` when it matches neither form. */
export function parseConfigPath(path: string): ConfigPath | undefined {
  let m = DATADOG.exec(path);
  if (m) return { source: 'datadog', orgId: m[1], product: m[2]!, id: m[3]!, name: m[4]! };
  m = EMPLOYEE.exec(path);
  if (m) return { source: 'employee', orgId: undefined, product: m[1]!, id: m[2]!, name: m[3]! };
  return undefined;
}
