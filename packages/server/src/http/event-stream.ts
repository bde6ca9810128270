import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { eventView } from './event-view.js';
import type { EventBus, EventFilter } from './event-bus.js';

/** A subscriber this far behind (bytes queued in the socket) is dropped rather than buffered without bound. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

const openStreams = new WeakMap<EventBus, Set<ServerResponse>>();

/**
 * Streams newly stored probe events as server-sent events (`event: probe-event`, `data:` the
 * event JSON). A `: connected` comment is sent first, so a client knows it is subscribed.
 */
export function openEventStream(req: FastifyRequest, reply: FastifyReply, bus: EventBus, filter: EventFilter): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': connected\n\n');
  let streams = openStreams.get(bus);
  if (!streams) openStreams.set(bus, (streams = new Set()));
  streams.add(res);
  const unsubscribe = bus.subscribe(filter, (event) => {
    if (res.writableLength > MAX_QUEUED_BYTES) {
      res.end();
      return;
    }
    res.write(`id: ${event.id}\nevent: probe-event\ndata: ${JSON.stringify(eventView(event))}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const cleanup = (): void => {
    clearInterval(heartbeat);
    unsubscribe();
    streams.delete(res);
  };
  req.raw.on('close', cleanup);
  res.on('close', cleanup);
}

/** Ends every open stream of this bus (on server close, which would otherwise wait for them). */
export function closeEventStreams(bus: EventBus): void {
  for (const res of openStreams.get(bus) ?? []) res.end();
}
