/**
 * Host-wide upload de-duplication: processes of one service on one host (cluster workers, PM2,
 * forked children) with identical code upload each (file, content) once. A process claims a
 * root by creating `<key>.claim` atomically (`wx`); after a successful upload it writes
 * `<key>.done`. A claim left by a crashed uploader expires; a failed upload removes its claim.
 * Runs in the symbols worker: the file system calls never touch the application's thread.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface HostDedupOptions {
  /** Directory for the markers; default: per service/env/version under `os.tmpdir()`. */
  dir: string;
  /** A claim older than this belongs to a dead uploader. */
  claimTtlMs: number;
}

export type ClaimOutcome = 'claimed' | 'done' | 'busy';

/** Markers older than this are swept when the worker starts. */
const SWEEP_AGE_MS = 24 * 60 * 60 * 1000;
const SWEEP_MAX_ENTRIES = 50_000;

/**
 * The default marker directory for one service, env and version on this host, per backend:
 * markers say what *that* backend has, so another agent URL starts from nothing.
 */
export function defaultHostDedupDir(service: string, env: string, version: string, backend = ''): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const id = createHash('sha1').update(`${service}\0${env}\0${version}\0${backend}`).digest('hex').slice(0, 16);
  const safe = service.replace(/[^\w.-]/g, '_').slice(0, 40);
  return path.join(tmpdir(), `periscope-symdb-${uid}`, `${safe}-${id}`);
}

/** The marker key of one root: the file name and its content hash. */
export function hostDedupKey(name: string, fileHash: string): string {
  return createHash('sha1').update(`${name}\0${fileHash}`).digest('hex');
}

export class HostDedup {
  readonly #dir: string;
  readonly #claimTtlMs: number;
  #usable: boolean;

  constructor(opts: HostDedupOptions) {
    this.#dir = opts.dir;
    this.#claimTtlMs = opts.claimTtlMs;
    try {
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      this.#usable = true;
      this.#sweep();
    } catch {
      // No usable directory: every process uploads on its own, as without coordination.
      this.#usable = false;
    }
  }

  /**
   * Claims `key` for upload. `done`: it was uploaded since `honourSince` (epoch ms), by another
   * process when `notBy` names this process's uploader id; `busy`: another live process is
   * uploading it now.
   */
  claim(key: string, honourSince: number, notBy?: string): ClaimOutcome {
    if (!this.#usable) return 'claimed';
    if (this.#isDone(key, honourSince, notBy)) return 'done';
    const claim = this.#path(key, 'claim');
    if (this.#create(claim)) return 'claimed';
    const age = this.#age(claim);
    if (age === undefined || age > this.#claimTtlMs) {
      // The claim's owner died (or it vanished just now): take over.
      tryUnlink(claim);
      if (this.#create(claim)) return 'claimed';
    }
    return this.#isDone(key, honourSince, notBy) ? 'done' : 'busy';
  }

  /** Marks an uploaded key as done by `uploader` and drops the claim. */
  commit(key: string, uploader: string): void {
    if (!this.#usable) return;
    try {
      writeFileSync(this.#path(key, 'done'), uploader);
    } catch {
      // Losing a marker costs one duplicate upload, nothing more.
    }
    tryUnlink(this.#path(key, 'claim'));
  }

  /** Drops a claim without marking the key as done (the upload failed or was cancelled). */
  release(key: string): void {
    if (this.#usable) tryUnlink(this.#path(key, 'claim'));
  }

  #isDone(key: string, honourSince: number, notBy: string | undefined): boolean {
    const file = this.#path(key, 'done');
    try {
      if (statSync(file).mtimeMs < honourSince) return false;
      return notBy === undefined || readFileSync(file, 'utf8') !== notBy;
    } catch {
      return false;
    }
  }

  #create(file: string): boolean {
    try {
      closeSync(openSync(file, 'wx'));
      return true;
    } catch {
      return false;
    }
  }

  #age(file: string): number | undefined {
    try {
      return Date.now() - statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
  }

  #path(key: string, kind: 'claim' | 'done'): string {
    return path.join(this.#dir, `${key}.${kind}`);
  }

  #sweep(): void {
    const names = readdirSync(this.#dir).slice(0, SWEEP_MAX_ENTRIES);
    const cutoff = Date.now() - SWEEP_AGE_MS;
    for (const name of names) {
      const file = path.join(this.#dir, name);
      try {
        if (statSync(file).mtimeMs < cutoff) unlinkSync(file);
      } catch {
        // Another process swept it first.
      }
    }
  }
}

function tryUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
