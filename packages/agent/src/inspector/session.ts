/**
 * The agent's one inspector session, in the application's own thread. A same-thread session
 * answers synchronously, so commands return their result directly: no promise, no event-loop turn.
 */
import { Session } from 'node:inspector';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(`${method}: ${message}`);
  }
}

type Listener = (params: any) => void;

export class InspectorSession {
  private readonly session = new Session();
  private connected = false;

  connect(): void {
    if (this.connected) return;
    this.session.connect();
    this.connected = true;
  }

  /** Sends a command and returns its result; throws {@link ProtocolError} on failure. */
  post<T = any>(method: string, params?: object): T {
    if (!this.connected) throw new ProtocolError(method, 'session is not connected');
    let result: T | undefined;
    let error: Error | null | undefined;
    let answered = false;
    this.session.post(method, params ?? {}, (err: Error | null, res: any) => {
      answered = true;
      error = err;
      result = res as T;
    });
    if (!answered) throw new ProtocolError(method, 'no synchronous answer');
    if (error) throw new ProtocolError(method, error.message);
    return result as T;
  }

  /** Like {@link post} but returns undefined instead of throwing. */
  tryPost<T = any>(method: string, params?: object): T | undefined {
    try {
      return this.post<T>(method, params);
    } catch {
      return undefined;
    }
  }

  on(event: string, listener: Listener): () => void {
    const wrapped = (message: { params: unknown }) => listener(message.params);
    this.session.on(event, wrapped);
    return () => this.session.off(event, wrapped);
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.session.disconnect();
  }
}
