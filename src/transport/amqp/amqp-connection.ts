/**
 * Keeps one AMQP connection open: connects on first use, runs the topology setup on every connection, and when
 * the connection drops (broker restart, forced close, network, heartbeat timeout) reconnects with capped,
 * jittered exponential backoff until closed. Callers wait for the current session, bounded by a timeout.
 */
import type { ChannelModel } from "amqplib";
import { TransportError } from "../../errors.ts";
import { abortableSleep } from "./abortable-sleep.ts";
import type { ResolvedAmqpOptions } from "./amqp-options.ts";
import { AmqpSession } from "./amqp-session.ts";
import { reconnectDelayMs } from "./reconnect-backoff.ts";
import { coalesceSocketWrites } from "./socket-write-coalescing.ts";

/** How long opening a connection may take, unless the socket options say otherwise. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Runs on every new connection before it is handed out (declares the topology). */
export type SessionSetup = (session: AmqpSession) => Promise<void>;

/** The transport's connection, reconnecting until {@link AmqpConnection.close}. */
export class AmqpConnection {
  private readonly options: ResolvedAmqpOptions;
  private readonly setup: SessionSetup;
  private readonly closing = new AbortController();
  private readonly waiters = new Set<() => void>();
  private current: AmqpSession | undefined;
  private running: Promise<void> | undefined;
  private lastError: unknown;
  private generation = 0;

  constructor(options: ResolvedAmqpOptions, setup: SessionSetup) {
    this.options = options;
    this.setup = setup;
  }

  /**
   * The open session, waiting for a (re)connection up to `timeoutMs`; rejects with a retryable
   * `TRANSPORT_UNAVAILABLE` then, or `TRANSPORT_CLOSED` once closed. An aborted `signal` rejects too.
   */
  async session(timeoutMs = this.options.unavailableTimeoutMs, signal?: AbortSignal): Promise<AmqpSession> {
    this.running ??= this.run();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.closing.signal.aborted) throw this.closedError();
      if (this.current?.isOpen) return this.current;
      if (signal?.aborted) throw this.closedError();
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw this.unavailableError();
      await this.nextChange(Math.min(remaining, 2 ** 31 - 1), signal);
    }
  }

  /** Stops reconnecting and closes the connection. Idempotent. */
  async close(): Promise<void> {
    this.closing.abort();
    this.wake();
    await this.current?.close();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closing.signal.aborted) {
      const session = await this.connectOnce();
      if (session) {
        failures = 0;
        await session.closed;
        if (this.current === session) this.current = undefined;
        this.wake();
        if (this.closing.signal.aborted) return;
        this.options.logger.warn(
          { url: this.options.displayUrl, generation: session.generation },
          "AMQP connection lost",
        );
      }
      failures++;
      const delay = reconnectDelayMs(failures, {
        initialDelayMs: this.options.reconnectInitialDelayMs,
        maxDelayMs: this.options.reconnectMaxDelayMs,
      });
      await abortableSleep(delay, this.closing.signal);
    }
  }

  private async connectOnce(): Promise<AmqpSession | undefined> {
    let model: ChannelModel | undefined;
    try {
      const { socketOptions } = this.options;
      model = await this.options.connect(this.options.brokerUrl, {
        timeout: CONNECT_TIMEOUT_MS,
        ...socketOptions,
        clientProperties: { ...socketOptions.clientProperties, connection_name: this.options.connectionName },
      });
      coalesceSocketWrites(model);
      model.on("error", (error: Error) => this.options.logger.warn({ err: error }, "AMQP connection error"));
      model.on("blocked", (reason: string) => this.options.logger.warn({ reason }, "AMQP connection blocked"));
      const session = new AmqpSession(model, ++this.generation, this.options.logger);
      if (this.closing.signal.aborted) {
        await session.close();
        return undefined;
      }
      await this.setup(session);
      if (this.closing.signal.aborted) {
        await session.close();
        return undefined;
      }
      this.current = session;
      this.lastError = undefined;
      this.wake();
      const context = { url: this.options.displayUrl, generation: session.generation };
      this.options.logger.info(context, "AMQP connected");
      return session;
    } catch (error) {
      this.lastError = error;
      this.wake();
      this.options.logger.warn({ err: error, url: this.options.displayUrl }, "AMQP connection failed");
      await model?.close().catch(() => undefined);
      return undefined;
    }
  }

  private nextChange(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private unavailableError(): TransportError {
    const detail = this.lastError instanceof Error ? `: ${this.lastError.message}` : "";
    return new TransportError("TRANSPORT_UNAVAILABLE", `no connection to ${this.options.displayUrl}${detail}`, {
      cause: this.lastError,
      retryable: true,
      queue: this.options.queue,
    });
  }

  private closedError(): TransportError {
    return new TransportError("TRANSPORT_CLOSED", "the transport is closed", { queue: this.options.queue });
  }
}
