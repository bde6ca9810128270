/**
 * A `multipart/form-data` body with file parts, as the agent's debugger and symdb intakes expect.
 * Small and exact on purpose: the wire shape (part names, filenames, part content types) is
 * what the intake checks.
 */
import { randomBytes } from 'node:crypto';

export interface MultipartFile {
  /** The form field name (`event`, `file`, …). */
  name: string;
  filename: string;
  contentType: string;
  data: Buffer | string;
}

export interface MultipartBody {
  /** The request `Content-Type`, boundary included. */
  contentType: string;
  body: Buffer;
}

export function buildMultipart(files: readonly MultipartFile[]): MultipartBody {
  const boundary = `periscope-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\n` +
          `Content-Disposition: form-data; name="${quote(file.name)}"; filename="${quote(file.filename)}"\r\n` +
          `Content-Type: ${file.contentType}\r\n\r\n`,
        'utf8',
      ),
      Buffer.isBuffer(file.data) ? file.data : Buffer.from(file.data, 'utf8'),
      Buffer.from('\r\n', 'utf8'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

function quote(value: string): string {
  return value.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c));
}
