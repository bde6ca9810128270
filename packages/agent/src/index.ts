/**
 * Periscope agent: live debugging for Node.js. `start()` enables code tracking and probes in
 * this process; `stop()` removes every trace of it.
 */
import { Agent } from './agent.js';
import { loadConfig, type AgentOptions } from './config/settings.js';
import { JsonLinesSink } from './json-lines-sink.js';
import type { Sink } from './sink.js';

export { Agent, type DiagnosticsReport } from './agent.js';
export { loadConfig, type AgentOptions, type AgentConfig } from './config/settings.js';
export type { Sink } from './sink.js';
export type { ProbeInfo, ProbeState } from './probes/manager.js';
export type { CoverageReport, FileCoverage } from './probes/coverage.js';

let current: Agent | undefined;

export interface StartOptions extends AgentOptions {
  /** Where results go; defaults to the JSON-lines output file, or the agent URL. */
  sink?: Sink;
}

function warn(message: string): void {
  process.emitWarning(message, { code: 'PERISCOPE_CONFIG' });
}

const noopSink: Sink = {
  emitEvent() {},
  emitStatus() {},
  flush: async () => {},
  close: async () => {},
};

/** Starts the agent once per process; later calls return the running agent. */
export function start(options: StartOptions = {}): Agent {
  if (current) return current;
  const config = loadConfig(options, process.env, warn);
  const sink = options.sink ?? (config.outputFile ? new JsonLinesSink(config.outputFile) : noopSink);
  const agent = new Agent(config, sink);
  agent.start();
  current = agent;
  return agent;
}

export async function stop(): Promise<void> {
  const agent = current;
  current = undefined;
  await agent?.stop();
}

/** The running agent, if any. */
export function getAgent(): Agent | undefined {
  return current;
}
