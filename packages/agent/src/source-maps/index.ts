export { SourceMap, type GeneratedPosition, type OriginalPosition } from './source-map.js';
export { SourceMapStore, readSourceMapText, type SourceMapResult } from './store.js';
