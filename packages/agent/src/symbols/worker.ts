/**
 * The symbols worker: reads, hashes, parses and encodes off the application's thread, and owns
 * the host-wide upload markers. It holds each extracted root as JSON text until the main thread
 * says it was uploaded (commit) or given up (release). It runs as a child process (the default:
 * `process.send`, initialised by its first message) or as a worker thread (`parentPort`,
 * `workerData`); see worker-client.ts for why.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { encodeAttachments } from './batch-encoder.js';
import { FileExtractor } from './file-extractor.js';
import { HostDedup, hostDedupKey } from './host-dedup.js';
import type { EncodedBatch, RootRef, WorkerInit, WorkerRequest, WorkerResponse, WorkerResult } from './worker-protocol.js';

interface HeldRoot {
  name: string;
  fileHash: string;
  key: string;
  json: string;
  claimed: boolean;
}

let extractor: FileExtractor;
let dedup: HostDedup | undefined;
function setup(init: WorkerInit): void {
  extractor = new FileExtractor({ appRoot: init.appRoot, includes: init.includes, maxFileBytes: init.maxFileBytes, maxFiles: init.maxFiles });
  dedup = init.hostDedupDir !== undefined ? new HostDedup({ dir: init.hostDedupDir, claimTtlMs: init.claimTtlMs }) : undefined;
}
const held = new Map<number, HeldRoot>();
let nextRef = 1;

function handle(req: WorkerRequest): WorkerResult {
  switch (req.op) {
    case 'extract': {
      const roots: RootRef[] = [];
      for (const job of req.jobs) {
        for (const root of extractor.extract(job)) {
          const json = JSON.stringify(root.scope);
          const ref = nextRef++;
          held.set(ref, { name: root.name, fileHash: root.fileHash, key: hostDedupKey(root.name, root.fileHash), json, claimed: false });
          roots.push({ ref, name: root.name, bytes: json.length });
        }
      }
      return { op: 'extract', roots };
    }
    case 'encode': {
      const claimed: number[] = [];
      const alreadyUploaded: number[] = [];
      const busy: number[] = [];
      for (const ref of req.refs) {
        const root = held.get(ref);
        if (!root) continue;
        const outcome = dedup && !root.claimed ? dedup.claim(root.key, req.honourSince, req.ignoreOwnMarkers ? req.meta.uploadId : undefined) : 'claimed';
        if (outcome === 'claimed') {
          root.claimed = true;
          claimed.push(ref);
        } else if (outcome === 'done') {
          held.delete(ref);
          alreadyUploaded.push(ref);
        } else {
          busy.push(ref);
        }
      }
      const parts: EncodedBatch[] = encodeAttachments(
        claimed.map((ref) => held.get(ref)!.json),
        req.meta,
        req.firstBatchNum,
        req.maxBytes,
      ).map((p) => ({ batchNum: p.batchNum, refs: p.members.map((i) => claimed[i]!), gzip: ownBuffer(p.gzip) }));
      return { op: 'encode', parts, alreadyUploaded, busy };
    }
    case 'commit':
      for (const ref of req.refs) {
        const root = held.get(ref);
        if (!root) continue;
        if (root.claimed) dedup?.commit(root.key, req.uploadId);
        held.delete(ref);
      }
      return { op: 'commit' };
    case 'release':
      for (const ref of req.refs) {
        const root = held.get(ref);
        if (!root) continue;
        if (root.claimed) dedup?.release(root.key);
        // Not uploaded: the next trigger extracts and uploads the file again.
        extractor.forget(root.name, root.fileHash);
        held.delete(ref);
      }
      return { op: 'release' };
    case 'reset':
      for (const root of held.values()) if (root.claimed) dedup?.release(root.key);
      held.clear();
      extractor.reset();
      return { op: 'reset' };
  }
}

/** A view over a buffer of its own: small buffers share a pool that must not be transferred. */
function ownBuffer(buf: Buffer): Uint8Array {
  return buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf : new Uint8Array(buf);
}

function respond(msg: { id: number; req: WorkerRequest }): WorkerResponse {
  try {
    return { id: msg.id, result: handle(msg.req), counters: extractor.counters };
  } catch (err) {
    return { id: msg.id, error: err instanceof Error ? err.message : String(err), counters: extractor.counters };
  }
}

if (parentPort) {
  setup(workerData as WorkerInit);
  parentPort.on('message', (msg: { id: number; req: WorkerRequest }) => {
    const response = respond(msg);
    const transfer = response.result?.op === 'encode' ? response.result.parts.map((p) => p.gzip.buffer as ArrayBuffer) : [];
    parentPort!.postMessage(response, transfer);
  });
} else if (process.send) {
  // A child process: the first message is the init; the application going away (the IPC
  // channel closing, whatever the reason) ends it.
  let ready = false;
  process.on('message', (msg: { init: WorkerInit } | { id: number; req: WorkerRequest }) => {
    if (!ready) {
      setup((msg as { init: WorkerInit }).init);
      ready = true;
      return;
    }
    try {
      process.send!(respond(msg as { id: number; req: WorkerRequest }));
    } catch {
      process.exit(0); // the channel closed under us: the application is gone
    }
  });
  process.on('disconnect', () => process.exit(0));
}
