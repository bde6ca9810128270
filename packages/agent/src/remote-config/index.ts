/**
 * Remote Config: the `/v0.7/config` polling client, the product-handler API, and typed handlers
 * for LIVE_DEBUGGING, LIVE_DEBUGGING_SYMBOL_DB and APM_TRACING.
 */
export {
  type RemoteConfigClientConfig,
  type RemoteConfigClientOptions,
  type RemoteConfigState,
  RemoteConfigClient,
  REMOTE_CONFIG_PATH,
} from './client.js';
export {
  type ApplyStateValue,
  type RemoteConfigFile,
  type ProductHandler,
  type ProductRegistration,
  type ConfigState,
  type CachedTargetFile,
  ApplyState,
  Product,
} from './product-handler.js';
export {
  type ProbeConfigCallbacks,
  type SymbolDatabaseCallbacks,
  type DynamicInstrumentationToggleOptions,
  probeConfigHandler,
  symbolDatabaseHandler,
  dynamicInstrumentationToggleHandler,
  APM_TRACING_REGISTRATION,
} from './products.js';
export { Capability, encodeCapabilities } from './capabilities.js';
export { type ConfigPath, parseConfigPath } from './config-path.js';
export { type TargetMeta, type TargetsDocument, decodeTargets, verifyTarget } from './targets.js';
