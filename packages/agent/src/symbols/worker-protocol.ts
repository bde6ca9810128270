/** Messages between the Symbol Database and its worker thread. */
import type { AttachmentMeta } from './batch-encoder.js';
import type { ExtractJob, ExtractorCounters } from './file-extractor.js';

export interface WorkerInit {
  appRoot: string;
  includes: string[];
  maxFileBytes: number;
  maxFiles: number;
  /** undefined: no host-wide de-duplication. */
  hostDedupDir: string | undefined;
  claimTtlMs: number;
}

export type WorkerRequest =
  | { op: 'extract'; jobs: ExtractJob[] }
  | {
      op: 'encode';
      refs: number[];
      meta: AttachmentMeta;
      firstBatchNum: number;
      maxBytes: number;
      /** Host markers older than this (epoch ms) are ignored. */
      honourSince: number;
      /** After a re-enable: this process's own markers do not count, it uploads everything again. */
      ignoreOwnMarkers: boolean;
    }
  | { op: 'commit'; refs: number[]; uploadId: string }
  | { op: 'release'; refs: number[] }
  | { op: 'reset' };

/** A root scope held by the worker, known to the main thread by its ref. */
export interface RootRef {
  ref: number;
  name: string;
  bytes: number;
}

export interface EncodedBatch {
  batchNum: number;
  refs: number[];
  gzip: Uint8Array;
}

export type WorkerResult =
  | { op: 'extract'; roots: RootRef[] }
  | { op: 'encode'; parts: EncodedBatch[]; alreadyUploaded: number[]; busy: number[] }
  | { op: 'commit' | 'release' | 'reset' };

export interface WorkerResponse {
  id: number;
  result?: WorkerResult;
  error?: string;
  counters: ExtractorCounters;
}
