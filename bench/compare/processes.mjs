// Child processes of the comparison: every one is registered so that it is killed whatever happens
// (normal end, an error, Ctrl-C), and its output is kept to explain a failure.
import { spawn } from 'node:child_process';

const running = new Set();

/** Kills every child still running (SIGKILL: a benchmark app has nothing to save). */
export function killAll() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  running.clear();
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.once(signal, () => {
    killAll();
    process.stderr.write(`${signal}: stopped, child processes killed\n`);
    process.exit(code);
  });
}
process.once('exit', killAll);

/**
 * A spawned app: `lines` of stdout as they come, `waitForJson(key)` for the first JSON line with
 * that key, `send(line)` to its stdin, `stop()` to kill it and wait for the exit.
 */
export class App {
  #child;
  #lines = [];
  #waiters = [];
  #output = '';
  #exit;
  /** Milliseconds from spawn (performance.now() clock) to each stdout line. */
  lineTimes = [];

  /**
   * @param {string} node the Node binary
   * @param {string[]} args preload flags, script and its arguments
   * @param {{ cwd: string, env: Record<string, string> }} options
   */
  constructor(node, args, { cwd, env }) {
    this.command = [node, ...args].join(' ');
    this.startedAt = performance.now();
    this.#child = spawn(node, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(this.#child);
    this.pid = this.#child.pid;
    let pending = '';
    this.#child.stdout.on('data', (chunk) => {
      const at = performance.now() - this.startedAt;
      this.#output += chunk;
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        this.#lines.push(line);
        this.lineTimes.push(at);
        for (const w of [...this.#waiters]) w();
      }
    });
    this.#child.stderr.on('data', (chunk) => {
      // Keep the tail only: an agent in debug mode can be chatty.
      this.#output = (this.#output + chunk).slice(-20_000);
    });
    this.#child.stdin.on('error', () => {});
    this.#exit = new Promise((resolve) =>
      this.#child.once('exit', (code, signal) => {
        running.delete(this.#child);
        resolve({ code, signal });
        for (const w of [...this.#waiters]) w();
      }),
    );
  }

  /** What the app wrote (stdout and the tail of stderr), for error messages. */
  get output() {
    return this.#output;
  }

  get exited() {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /**
   * Resolves with `{ value, atMs }` for the first stdout line that is a JSON object with `key`;
   * rejects when the app exits first or after `timeoutMs`.
   */
  waitForJson(key, timeoutMs, what = key) {
    return new Promise((resolve, reject) => {
      let next = 0;
      const check = () => {
        for (; next < this.#lines.length; next++) {
          let parsed;
          try {
            parsed = JSON.parse(this.#lines[next]);
          } catch {
            continue;
          }
          if (parsed && typeof parsed === 'object' && key in parsed) {
            done();
            resolve({ value: parsed[key], atMs: this.lineTimes[next] });
            return;
          }
        }
        if (this.exited) {
          done();
          reject(new Error(`the app exited before ${what} (${this.command})\n--- app output ---\n${this.#output}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} from the app within ${timeoutMs} ms (${this.command})\n--- app output ---\n${this.#output}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== check);
      };
      this.#waiters.push(check);
      check();
    });
  }

  /** stdout lines so far. */
  get lines() {
    return [...this.#lines];
  }

  /** Resolves with the exit code; kills the app and rejects after `timeoutMs`. */
  async waitForExit(timeoutMs) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        this.#child.kill('SIGKILL');
        reject(new Error(`${this.command} did not finish within ${timeoutMs} ms\n--- output ---\n${this.#output}`));
      }, timeoutMs);
    });
    try {
      const { code } = await Promise.race([this.#exit, timeout]);
      return code;
    } finally {
      clearTimeout(timer);
    }
  }

  send(line) {
    this.#child.stdin.write(`${line}\n`);
  }

  async stop() {
    if (!this.exited) this.#child.kill('SIGKILL');
    await this.#exit;
  }
}
