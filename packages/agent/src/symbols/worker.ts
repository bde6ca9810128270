/**
 * The symbols worker thread: reads, hashes, parses and encodes off the application's thread,
 * and owns the host-wide upload markers. It holds each extracted root as JSON text until the
 * main thread says it was uploaded (commit) or given up (release).
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

const init = workerData as WorkerInit;
const extractor = new FileExtractor({ appRoot: init.appRoot, includes: init.includes, maxFileBytes: init.maxFileBytes, maxFiles: init.maxFiles });
const dedup = init.hostDedupDir !== undefined ? new HostDedup({ dir: init.hostDedupDir, claimTtlMs: init.claimTtlMs }) : undefined;
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

parentPort?.on('message', (msg: { id: number; req: WorkerRequest }) => {
  let response: WorkerResponse;
  try {
    const result = handle(msg.req);
    response = { id: msg.id, result, counters: extractor.counters };
  } catch (err) {
    response = { id: msg.id, error: err instanceof Error ? err.message : String(err), counters: extractor.counters };
  }
  const transfer = response.result?.op === 'encode' ? response.result.parts.map((p) => p.gzip.buffer as ArrayBuffer) : [];
  parentPort!.postMessage(response, transfer);
});
