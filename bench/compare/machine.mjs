// Names the machine a comparison ran on: figures from a shared 2-core VM mean little without it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

/** `{ cores, cpu, memoryGiB, os, node, loadAverage }`; `node` is the version of the given binary. */
export function describeMachine(nodeBinary) {
  return {
    cores: os.availableParallelism(),
    cpu: cpuModel(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim(),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** The 1, 5 and 15-minute load averages now. */
export function loadAverage() {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}
