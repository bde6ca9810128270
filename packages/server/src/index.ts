export { startServer, type RunningServer } from './server.js';
export {
  type ServerOptions,
  DEFAULT_PORT,
  DEFAULT_HOST,
  DEFAULT_DATA_DIR,
  isLoopback,
} from './config/server-options.js';
export { type DslCompiler, loadAgentDslCompiler } from './probes/dsl-compiler.js';
export { type ProbeSpec, type ExpressionInput } from './probes/probe-spec.js';
export { type ProbeView, type ProbeInstanceStatus } from './probes/probe-view.js';
export { type RetentionPolicy, DEFAULT_RETENTION } from './store/event-store.js';
export { type SymbolMatch, type SymbolFile, type SymbolFileInfo } from './store/symbol-store.js';
export { type SymbolKind } from './symbols/index-rows.js';
export { ServerError, type ServerErrorCode } from './errors/index.js';
export { SERVER_VERSION } from './version.js';
