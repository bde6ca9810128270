/**
 * Periscope agent: live debugging for Node.js. `start()` wires the engine to its inputs
 * (probe file, Remote Config, programmatic calls) and outputs (the Datadog-protocol agent over
 * HTTP, or a JSON-lines file); `stop()` removes every trace of it.
 */
import { Agent } from './agent.js';
import { loadConfig, type AgentConfig, type AgentOptions } from './config/settings.js';
import { JsonLinesSink } from './json-lines-sink.js';
import type { Sink } from './sink.js';
import { AgentClient, HttpSink } from './transport/index.js';
import {
  APM_TRACING_REGISTRATION,
  RemoteConfigClient,
  dynamicInstrumentationToggleHandler,
  probeConfigHandler,
  symbolDatabaseHandler,
} from './remote-config/index.js';
import { SymbolDatabase } from './symbols/index.js';

export { Agent, type DiagnosticsReport } from './agent.js';
export { loadConfig, type AgentOptions, type AgentConfig } from './config/settings.js';
export type { Sink } from './sink.js';
export type { ProbeInfo, ProbeState } from './probes/manager.js';
export type { CoverageReport, FileCoverage } from './probes/coverage.js';
// What `diagnostics().transport` holds when the agent sends to an agent/server over HTTP.
export type { HttpSinkStats, UploadQueueStats } from './transport/index.js';

export interface StartOptions extends AgentOptions {
  /** Where results go; defaults to the JSON-lines output file when set, else the agent over HTTP. */
  sink?: Sink;
}

interface Running {
  agent: Agent;
  client: AgentClient | undefined;
  remoteConfig: RemoteConfigClient | undefined;
  symbols: SymbolDatabase | undefined;
}

let current: Running | undefined;

function warn(message: string): void {
  process.emitWarning(message, { code: 'PERISCOPE_CONFIG' });
}

function createSink(config: AgentConfig, client: AgentClient | undefined): Sink {
  if (config.outputFile) return new JsonLinesSink(config.outputFile);
  return new HttpSink({ config, client });
}

/**
 * Remote Config: probes and the runtime on/off switch for dynamic instrumentation (unless it is
 * explicitly off: then nothing can turn it on, so neither product is subscribed), and the
 * Symbol Database trigger.
 */
function startRemoteConfig(agent: Agent, client: AgentClient, symbols: SymbolDatabase | undefined): RemoteConfigClient {
  const config = agent.config;
  const rc = new RemoteConfigClient({ config, client });
  if (symbols) {
    rc.registerProduct(
      'LIVE_DEBUGGING_SYMBOL_DB',
      symbolDatabaseHandler({ onUploadSymbols: (enabled) => symbols.setUploadEnabled(enabled) }),
    );
  }
  if (config.dynamicInstrumentationExplicitlyDisabled) {
    rc.start();
    return rc;
  }
  // Probes delivered over RC, kept so that re-enabling DI at runtime restores them.
  const rcProbes = new Map<string, unknown>();
  rc.registerProduct(
    'LIVE_DEBUGGING',
    probeConfigHandler({
      onProbe(probe) {
        rcProbes.set(String(probe['id']), probe);
        if (agent.isEnabled) agent.addProbe(probe);
      },
      onProbeRemoved(probeId) {
        rcProbes.delete(probeId);
        agent.removeProbe(probeId);
      },
    }),
  );
  rc.registerProduct(
    'APM_TRACING',
    dynamicInstrumentationToggleHandler({
      service: config.service,
      env: config.env,
      onChange(enabled) {
        // An explicit local DD_DYNAMIC_INSTRUMENTATION_ENABLED=false wins over the remote switch.
        if (config.dynamicInstrumentationExplicitlyDisabled) return;
        const on = enabled ?? config.dynamicInstrumentationEnabled;
        if (on && !agent.isEnabled) {
          agent.start();
          for (const p of rcProbes.values()) agent.addProbe(p);
        } else if (!on && agent.isEnabled) {
          agent.disable();
        }
        symbols?.setDynamicInstrumentationEnabled(on);
      },
    }),
    APM_TRACING_REGISTRATION,
  );
  rc.start();
  return rc;
}

/** Starts the agent once per process; later calls return the running agent. */
export function start(options: StartOptions = {}): Agent {
  if (current) return current.agent;
  const config = loadConfig(options, process.env, warn);
  const useNetwork = options.sink === undefined && !config.outputFile;
  const client = useNetwork || config.remoteConfigEnabled ? new AgentClient({ agentUrl: config.agentUrl }) : undefined;
  const sink = options.sink ?? createSink(config, client);
  let running: Running | undefined;
  const agent = new Agent(config, sink, {
    // Whichever stop is called (this module's or the agent's), the companions go first.
    beforeStop: async () => {
      if (current === running) current = undefined;
      await running?.remoteConfig?.close();
      running?.symbols?.stop();
    },
    // The sink may send through the client: it closes last.
    afterStop: () => running?.client?.close(),
  });
  if (config.dynamicInstrumentationEnabled) agent.start();
  // The Symbol Database follows the code tracker's back-fill and hot-load hook, and holds code
  // tracking itself while it uploads, so it works with dynamic instrumentation off.
  const symbols =
    client && config.symbolDatabaseUploadEnabled !== false
      ? new SymbolDatabase({ config, tracker: agent.tracker, client, holdTracking: () => agent.holdCodeTracking() })
      : undefined;
  symbols?.setDynamicInstrumentationEnabled(agent.isEnabled);
  symbols?.start();
  // With DI explicitly off, Remote Config is still needed when symbols do not follow DI
  // (DD_SYMBOL_DATABASE_UPLOAD_ENABLED=true, or a forced upload that RC may stop).
  const symbolsWithoutDi = symbols !== undefined && (config.symbolDatabaseUploadEnabled === true || config.symbolDatabaseForceUpload);
  const remoteConfig =
    config.remoteConfigEnabled && client && (!config.dynamicInstrumentationExplicitlyDisabled || symbolsWithoutDi)
      ? startRemoteConfig(agent, client, symbols)
      : undefined;
  running = { agent, client, remoteConfig, symbols };
  current = running;
  return agent;
}

/** Resolves when the symbol uploads queued so far are done (for scripts and tests). */
export async function waitForSymbolUploads(): Promise<void> {
  await current?.symbols?.waitForUploads();
}

export async function stop(): Promise<void> {
  const running = current;
  current = undefined;
  if (!running) return;
  await running.agent.stop();
}

/** The running agent, if any. */
export function getAgent(): Agent | undefined {
  return current?.agent;
}
