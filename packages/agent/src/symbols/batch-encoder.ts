/**
 * Builds the gzipped attachments (runs in the symbols worker): root scopes are kept as JSON
 * text, concatenated into `{service, env, version, language, upload_id, batch_num, final,
 * scopes}` and gzipped. An attachment over the size cap is halved until each part fits; a part
 * is never dropped.
 */
import { gzipSync } from 'node:zlib';
import { SYMDB_LANGUAGE } from './wire.js';

export interface AttachmentMeta {
  service: string;
  env: string;
  version: string;
  uploadId: string;
}

export interface EncodedPart {
  batchNum: number;
  /** Indexes into the encoded list. */
  members: number[];
  gzip: Buffer;
}

/** Encodes `scopeJsons` into one or more gzipped attachments numbered from `firstBatchNum`. */
export function encodeAttachments(scopeJsons: readonly string[], meta: AttachmentMeta, firstBatchNum: number, maxBytes: number): EncodedPart[] {
  const parts: EncodedPart[] = [];
  const encode = (members: number[]): void => {
    const batchNum = firstBatchNum + parts.length;
    const gzip = gzipSync(attachmentJson(members.map((i) => scopeJsons[i]!), meta, batchNum));
    if (gzip.length > maxBytes && members.length > 1) {
      const half = Math.ceil(members.length / 2);
      encode(members.slice(0, half));
      encode(members.slice(half));
      return;
    }
    parts.push({ batchNum, members, gzip });
  };
  if (scopeJsons.length > 0) encode(scopeJsons.map((_, i) => i));
  return parts;
}

function attachmentJson(scopes: readonly string[], meta: AttachmentMeta, batchNum: number): string {
  const head = JSON.stringify({
    service: meta.service,
    env: meta.env,
    version: meta.version,
    language: SYMDB_LANGUAGE,
    upload_id: meta.uploadId,
    batch_num: batchNum,
    final: false,
  });
  return `${head.slice(0, -1)},"scopes":[${scopes.join(',')}]}`;
}
