/**
 * Symbol Database: the structure of the running application (files, classes, functions,
 * parameters, locals, probe-able lines) uploaded to `/symdb/v1/input`, for everything loaded at
 * start and, through the code tracker's hot-load hook, for everything loaded later.
 */
export { SymbolDatabase, MAX_PAYLOAD_BYTES, MAX_SCOPES_PER_UPLOAD, SYMDB_PATH } from './symbol-database.js';
export type { SymbolDatabaseOptions, SymbolDatabaseStats } from './symbol-database.js';
export { FileExtractor } from './file-extractor.js';
export type { ExtractJob, ExtractedRoot, ExtractorOptions, ExtractorCounters } from './file-extractor.js';
export { gitBlobHash } from './git-blob-hash.js';
export { UNKNOWN_MAX_LINE, UNKNOWN_MIN_LINE, SYMDB_LANGUAGE } from './wire.js';
export type { SymdbAttachment, SymdbEvent, SymdbScope, SymdbSymbol, LineRange, ScopeType, SymbolType } from './wire.js';
