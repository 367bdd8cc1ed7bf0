/**
 * Abort signals for long polls on a client whose middleware is cached. The SDK reuses a command's resolved
 * middleware only for calls made without options; a call with any option (an abort signal included) resolves the
 * whole stack again and drops the client's cache, which costs a ReceiveMessage call of 10 messages about a sixth of
 * its CPU time (measured: 125 against 150 µs per call). So a long poll passes its signal around the call instead,
 * in async context, and the client's request handler hands it to the HTTP request it sends.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { SQSClient } from "@aws-sdk/client-sqs";

/** What a request handler is given with each request; only the abort signal matters here. */
interface HandlerOptions {
  readonly abortSignal?: AbortSignal;
}

type Handle = (request: unknown, options?: HandlerOptions) => Promise<unknown>;

/** The signals of the calls made through {@link PollSignals.run}, seen by the clients given to {@link attach}. */
export class PollSignals {
  private readonly current = new AsyncLocalStorage<AbortSignal>();

  /**
   * Has every request `client` sends take the signal of the call that made it, if any. Call it before the
   * client's first call: the SDK keeps the request handler it finds then.
   */
  attach(client: SQSClient): void {
    const handler = client.config.requestHandler as unknown as { handle: Handle };
    const handle = handler.handle.bind(handler);
    const { current } = this;
    handler.handle = (request, options) => {
      const abortSignal = current.getStore();
      return handle(request, abortSignal ? { ...options, abortSignal } : options);
    };
  }

  /** Makes `call`, whose requests end when `signal` aborts. */
  run<T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    return signal ? this.current.run(signal, call) : call();
  }
}
