/**
 * Writes events and statuses as JSON lines to a file or stdout, so that the agent is useful on
 * its own. Lines are buffered and written off the hot path; the buffer is bounded.
 */
import { appendFile } from 'node:fs';
import { appendFileSync } from 'node:fs';
import type { DiagnosticItem, ProbeEvent } from '@periscope/protocol';
import type { Sink } from './sink.js';

const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class JsonLinesSink implements Sink {
  private buffer: string[] = [];
  private bytes = 0;
  private scheduled = false;
  private writing: Promise<void> = Promise.resolve();
  dropped = 0;
  private readonly onExit = () => this.flushSync();

  /** `target` is a file path, or `-` for stdout. */
  constructor(private readonly target: string) {
    process.once('exit', this.onExit);
  }

  emitEvent(event: ProbeEvent, json?: string): void {
    this.push(json !== undefined ? `{"kind":"event","event":${json}}` : JSON.stringify({ kind: 'event', event }));
  }

  emitStatus(item: DiagnosticItem): void {
    this.push(JSON.stringify({ kind: 'status', status: item }));
  }

  private push(line: string): void {
    if (this.bytes + line.length > MAX_BUFFERED_BYTES) {
      this.dropped++;
      return;
    }
    this.buffer.push(line);
    this.bytes += line.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      }).unref();
    }
  }

  private take(): string {
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.bytes = 0;
    return text;
  }

  flush(): Promise<void> {
    if (this.buffer.length === 0) return this.writing;
    const text = this.take();
    this.writing = this.writing.then(
      () =>
        new Promise<void>((resolve) => {
          if (this.target === '-') process.stdout.write(text, () => resolve());
          else appendFile(this.target, text, () => resolve());
        }),
    );
    return this.writing;
  }

  private flushSync(): void {
    if (this.buffer.length === 0) return;
    const text = this.take();
    try {
      if (this.target === '-') process.stdout.write(text);
      else appendFileSync(this.target, text);
    } catch {
      // Best effort at exit.
    }
  }

  async close(): Promise<void> {
    await this.flush();
    process.off('exit', this.onExit);
  }
}
