// The local backend both agents talk to: the in-repo fake Datadog agent (real HTTP, Remote Config
// computed from the probes we set, debugger intakes recorded). Both agents receive the very same
// probe JSON as a LIVE_DEBUGGING config file.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

/** Starts the fake agent from the built test helpers (`npm run build` makes them). */
export async function startBackend(repoRoot) {
  const file = path.join(repoRoot, 'packages/agent/dist/test/helpers/fake-agent.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  const { FakeAgent } = await import(pathToFileURL(file).href);
  return new Backend(await FakeAgent.start());
}

class Backend {
  #agent;

  constructor(agent) {
    this.#agent = agent;
  }

  get url() {
    return this.#agent.url.href.replace(/\/$/, '');
  }

  /** Serves exactly these probes from now on and forgets the traffic recorded so far. */
  setProbes(probes) {
    this.#agent.setRcProbes(probes);
    this.#agent.clearRequests();
  }

  /** Statuses received for one probe, oldest first. */
  statusesOf(probeId) {
    return this.#agent.statuses().filter((s) => s?.debugger?.diagnostics?.probeId === probeId);
  }

  /** Snapshots and log lines received for one probe. */
  eventsOf(probeId) {
    return this.#agent.events().filter((e) => (e?.debugger?.snapshot?.probe?.id ?? e?.debugger?.probe?.id) === probeId);
  }

  /** Remote Config requests received since the last `setProbes`. */
  rcRequestCount() {
    return this.#agent.requestsTo('/v0.7/config').length;
  }

  /**
   * Resolves when the probe is INSTALLED; rejects at once on ERROR, or after `timeoutMs`, with the
   * statuses received and the app's output in the message.
   */
  async waitInstalled(probeId, timeoutMs, app) {
    const describe = () =>
      `statuses received for ${probeId}: ${JSON.stringify(this.statusesOf(probeId).map((s) => s.debugger.diagnostics), null, 1)}\n` +
      `Remote Config polls: ${this.rcRequestCount()}\n--- app output (${app.command}) ---\n${app.output}`;
    const found = await this.#agent
      .waitFor(
        () => {
          if (app.exited) return { failed: 'the app exited' };
          const statuses = this.statusesOf(probeId).map((s) => s.debugger.diagnostics.status);
          if (statuses.includes('INSTALLED') || statuses.includes('EMITTING')) return { ok: true };
          if (statuses.includes('ERROR')) return { failed: 'the probe reported ERROR' };
          return undefined;
        },
        timeoutMs,
        `probe ${probeId} INSTALLED`,
      )
      .catch(() => ({ failed: `not INSTALLED within ${timeoutMs} ms` }));
    if (!found.ok) throw new Error(`probe ${probeId} did not reach INSTALLED: ${found.failed}\n${describe()}`);
  }

  async waitForFirstRcPoll(timeoutMs, app) {
    await this.#agent.waitFor(() => this.rcRequestCount() > 0 || app.exited, timeoutMs, 'a Remote Config poll').catch(() => {});
    if (this.rcRequestCount() === 0) throw new Error(`no Remote Config poll from ${app.command} within ${timeoutMs} ms\n${app.output}`);
  }

  /**
   * Waits until the number of events of the probe has not grown for `quietMs` (the agents upload
   * every second), at most `maxMs`; returns the count.
   */
  async settleEvents(probeId, quietMs, maxMs) {
    const end = performance.now() + maxMs;
    let count = this.eventsOf(probeId).length;
    let since = performance.now();
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      const now = this.eventsOf(probeId).length;
      if (now !== count) {
        count = now;
        since = performance.now();
      } else if (performance.now() - since >= quietMs) break;
    }
    return count;
  }

  async close() {
    await this.#agent.close();
  }
}
