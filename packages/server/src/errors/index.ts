/**
 * Errors the server answers with. Each has a stable `code` and the HTTP status it maps to;
 * the HTTP layer turns them into `{"error": {"code", "message"}}`.
 */
export type ServerErrorCode =
  | 'PERISCOPE_ERR_BAD_REQUEST'
  | 'PERISCOPE_ERR_NOT_FOUND'
  | 'PERISCOPE_ERR_UNAUTHORIZED'
  | 'PERISCOPE_ERR_PAYLOAD_TOO_LARGE'
  | 'PERISCOPE_ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'PERISCOPE_ERR_INSECURE_CONFIG';

const STATUS_BY_CODE: Record<ServerErrorCode, number> = {
  PERISCOPE_ERR_BAD_REQUEST: 400,
  PERISCOPE_ERR_NOT_FOUND: 404,
  PERISCOPE_ERR_UNAUTHORIZED: 401,
  PERISCOPE_ERR_PAYLOAD_TOO_LARGE: 413,
  PERISCOPE_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  PERISCOPE_ERR_INSECURE_CONFIG: 500,
};

const BRAND = Symbol.for('periscope.server.ServerError');

export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly statusCode: number;
  readonly [BRAND] = true;
  constructor(
    readonly code: ServerErrorCode,
    message: string,
  ) {
    super(message);
    this.statusCode = STATUS_BY_CODE[code];
  }

  /** Works across two loaded copies of this package. */
  static is(value: unknown): value is ServerError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

export function badRequest(message: string): ServerError {
  return new ServerError('PERISCOPE_ERR_BAD_REQUEST', message);
}

export function notFound(message: string): ServerError {
  return new ServerError('PERISCOPE_ERR_NOT_FOUND', message);
}

export function payloadTooLarge(message: string): ServerError {
  return new ServerError('PERISCOPE_ERR_PAYLOAD_TOO_LARGE', message);
}
