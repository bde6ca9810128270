import type { AddressInfo } from 'node:net';
import { resolveServerOptions, type ServerOptions } from './config/server-options.js';
import { buildApp } from './http/app.js';
import type { ServerContext } from './http/context.js';
import { EventBus } from './http/event-bus.js';
import { loadAgentDslCompiler } from './probes/dsl-compiler.js';
import { ConfigEndpoint } from './remote-config/config-endpoint.js';
import { loadOrCreateSigner } from './remote-config/signer.js';
import { openDatabase } from './store/database.js';
import { EventStore } from './store/event-store.js';
import { InstanceStore } from './store/instance-store.js';
import { ProbeStore } from './store/probe-store.js';
import { RcClientStore } from './store/rc-client-store.js';
import { StatusStore } from './store/status-store.js';
import { SymbolStore } from './store/symbol-store.js';

/** A listening server. `close()` is idempotent. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8126`. */
  url: string;
  host: string;
  port: number;
  dataDir: string;
  close(): Promise<void>;
}

/** Retention runs at least this often, and after this many stored events. */
const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_EVERY_EVENTS = 1000;

/**
 * Opens the data directory, wires the stores and routes (the composition root), and listens.
 * Throws when the options are unsafe (e.g. exposed without credentials) or the port is taken.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const resolved = resolveServerOptions(options);
  const db = openDatabase(resolved.dataDir);
  try {
    const probes = new ProbeStore(db);
    const instances = new InstanceStore(db);
    const rcClients = new RcClientStore(db);
    const events = new EventStore(db);
    const dsl = options.dslCompiler === undefined ? await loadAgentDslCompiler() : options.dslCompiler;
    let sincePrune = 0;
    const prune = (): void => {
      sincePrune = 0;
      const deleted = events.prune(resolved.retention);
      if (deleted > 0) resolved.log('info', `retention removed ${deleted} old events`);
      const gone = instances.prune(resolved.retention.instanceMaxAgeMs) + rcClients.prune(resolved.retention.instanceMaxAgeMs);
      if (gone > 0) resolved.log('info', `retention forgot ${gone} instances and Remote Config clients not seen for a long time`);
    };
    const ctx: ServerContext = {
      options: resolved,
      db,
      probes,
      statuses: new StatusStore(db),
      events,
      instances,
      rcClients,
      symbols: new SymbolStore(db),
      config: new ConfigEndpoint({ db, probes, instances, clients: rcClients, signer: loadOrCreateSigner(resolved.dataDir) }),
      bus: new EventBus(),
      dsl,
      afterEventsStored(count) {
        sincePrune += count;
        if (sincePrune >= PRUNE_EVERY_EVENTS) prune();
      },
    };
    prune();
    const timer = setInterval(prune, PRUNE_INTERVAL_MS);
    timer.unref();
    const app = await buildApp(ctx);
    app.addHook('onClose', async () => {
      clearInterval(timer);
      db.close();
    });
    try {
      await app.listen({ port: resolved.port, host: resolved.host });
    } catch (err) {
      await app.close();
      throw err;
    }
    const address = app.server.address() as AddressInfo;
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${urlHost}:${address.port}`;
    resolved.log('info', `periscope server listening on ${url} (data in ${resolved.dataDir}${dsl ? '' : '; DSL compiler unavailable, JSON AST only'})`);
    let closing: Promise<void> | null = null;
    return {
      url,
      host: address.address,
      port: address.port,
      dataDir: resolved.dataDir,
      close() {
        closing ??= app.close().then(() => undefined);
        return closing;
      },
    };
  } catch (err) {
    if (db.open) db.close();
    throw err;
  }
}
