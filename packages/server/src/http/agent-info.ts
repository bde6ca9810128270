import type { ResolvedServerOptions } from '../config/server-options.js';
import { SERVER_VERSION } from '../version.js';

/** Paths advertised in `/info`; tracers pick features (e.g. `/debugger/v2/input`) from this list. */
export const ADVERTISED_ENDPOINTS = [
  '/v0.3/traces',
  '/v0.4/traces',
  '/v0.5/traces',
  '/v0.7/traces',
  '/v0.6/stats',
  '/v0.7/config',
  '/telemetry/proxy/',
  '/profiling/v1/input',
  '/dogstatsd/v2/proxy',
  '/evp_proxy/v2/',
  '/evp_proxy/v4/',
  '/tracer_flare/v1',
  '/debugger/v1/input',
  '/debugger/v2/input',
  '/debugger/v1/diagnostics',
  '/symdb/v1/input',
] as const;

/** The `/info` document, shaped like a Datadog agent's. */
export function agentInfo(options: ResolvedServerOptions): Record<string, unknown> {
  return {
    version: `periscope-${SERVER_VERSION}`,
    git_commit: '',
    endpoints: [...ADVERTISED_ENDPOINTS],
    client_drop_p0s: true,
    span_meta_structs: true,
    long_running_spans: true,
    evp_proxy_allowed_headers: ['Content-Type', 'Accept-Encoding', 'Content-Encoding', 'User-Agent'],
    feature_flags: [],
    peer_tags: [],
    config: {
      default_env: 'none',
      target_tps: 10,
      max_eps: 200,
      receiver_port: options.port,
      receiver_socket: '',
      connection_limit: 0,
      receiver_timeout: 0,
      max_request_bytes: options.bodyLimitBytes,
      statsd_port: 8125,
      max_memory: 0,
      max_cpu: 0,
      analyzed_spans_by_service: {},
      obfuscation: {},
    },
  };
}
