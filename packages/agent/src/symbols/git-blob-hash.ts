import { createHash } from 'node:crypto';

/**
 * Git blob SHA-1 (`git hash-object`): SHA-1 over `"blob " + byteLength + "\0" + bytes`. The
 * backend uses it to find the commit, so it hashes the original file's bytes.
 */
export function gitBlobHash(content: Buffer | string): string {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
