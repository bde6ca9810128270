import { gunzip } from 'node:zlib';
import { badRequest, payloadTooLarge } from '../errors/index.js';

/**
 * Inflates gzip data, giving up as soon as the output would exceed `maxBytes`: zlib stops
 * producing output at the cap, so a gzip bomb costs at most `maxBytes` of memory.
 * `requestCap` is the per-request limit `maxBytes` is what remains of, named in the message.
 */
export function gunzipBounded(data: Buffer, maxBytes: number, what: string, requestCap = maxBytes): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      payloadTooLarge(
        requestCap === maxBytes
          ? `${what} inflates to more than ${maxBytes} bytes (the server's decompression limit)`
          : `${what} inflates past the ${requestCap}-byte decompression limit of this request (${maxBytes} bytes were left after the earlier parts)`,
      );
    if (maxBytes <= 0) return reject(tooLarge());
    gunzip(data, { maxOutputLength: maxBytes }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        reject(tooLarge());
      } else {
        reject(badRequest(`${what} is not valid gzip data: ${err.message}`));
      }
    });
  });
}

/** True when the bytes start with the gzip magic number. */
export function looksGzipped(data: Buffer): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}
