import type { ResolvedServerOptions } from '../config/server-options.js';
import type { DslCompiler } from '../probes/dsl-compiler.js';
import type { ConfigEndpoint } from '../remote-config/config-endpoint.js';
import type { SqliteDatabase } from '../store/database.js';
import type { EventStore } from '../store/event-store.js';
import type { InstanceStore } from '../store/instance-store.js';
import type { ProbeStore } from '../store/probe-store.js';
import type { RcClientStore } from '../store/rc-client-store.js';
import type { StatusStore } from '../store/status-store.js';
import type { SymbolStore } from '../store/symbol-store.js';
import type { EventBus } from './event-bus.js';

/** Everything the routes need, wired once in `startServer` (the composition root). */
export interface ServerContext {
  options: ResolvedServerOptions;
  db: SqliteDatabase;
  probes: ProbeStore;
  statuses: StatusStore;
  events: EventStore;
  instances: InstanceStore;
  rcClients: RcClientStore;
  symbols: SymbolStore;
  config: ConfigEndpoint;
  bus: EventBus;
  dsl: DslCompiler | null;
  /** Called after events are stored, so retention runs as data arrives. */
  afterEventsStored(count: number): void;
}
