/**
 * The HTTP transport (`http://host:port/path`, `https://…`): no broker, a worker's own receiver. One class, two
 * roles: `send` POSTs each message to the URL (producers), `receive()` or `listen()` starts a receiver on the
 * URL's address that answers 202 once a job is held in its bounded in-memory buffer, and hands the held jobs out
 * as deliveries (consumers). Leases, retries and dead letters happen in that buffer, so nothing survives the
 * process that accepted a job: `durable` is false. The wire format is in docs/transports-http.md.
 */
import process from "node:process";
import { setImmediate } from "node:timers/promises";
import { ConfigError, TransportError, toThriftQueueError } from "../../errors.ts";
import type { Envelope } from "../envelope.ts";
import { InFlightDeliveries } from "../in-flight.ts";
import type { CloseOptions, Delivery, OutgoingMessage, QueueStats, ReceiveOptions, Transport } from "../transport.ts";
import type { TransportCapabilities } from "../transport.ts";
import { waitForWork } from "../wait-for-work.ts";
import { receiverProblems, resolveHttpOptions, type ResolvedHttpOptions } from "./http-options.ts";
import type { HttpTransportOptions } from "./http-options.ts";
import type { AcceptPolicy } from "./http-receiver.ts";
import { HttpSender } from "./http-sender.ts";
import type { BufferSettlement, ReceiveBuffer } from "./receive-buffer.ts";
import { findReceiveBuffer, holdReceiver, type ReceiverHold } from "./receiver-registry.ts";
import { webhookKeys } from "./webhook-signature.ts";
import { oversizedPayloads } from "../payload-limit.ts";

export type { HttpTransportOptions } from "./http-options.ts";

/** Longest delay of a send or a nack: 15 minutes, as SQS allows; the receiver holds delayed jobs in memory. */
export const HTTP_MAX_DELAY_MS = 15 * 60 * 1000;

/** The address a receiver listens on. */
export interface HttpReceiverAddress {
  readonly host: string;
  readonly port: number;
}

/** Producer and receiver of one HTTP queue; see the module comment. */
export class HttpTransport implements Transport {
  readonly kind = "http";
  readonly queue: string;
  readonly capabilities: TransportCapabilities;
  private readonly options: ResolvedHttpOptions;
  private readonly keys: readonly Uint8Array[];
  private readonly sender: HttpSender;
  private readonly inFlight = new InFlightDeliveries();
  private readonly stopping = new AbortController();
  private readonly sending = new Set<Promise<void>>();
  private hold: Promise<ReceiverHold> | undefined;
  private closing: Promise<void> | undefined;

  /** Checks the options (throws one ConfigError naming every bad field); opens nothing until used. */
  constructor(options: HttpTransportOptions, env: NodeJS.ProcessEnv = process.env) {
    this.options = resolveHttpOptions(options, env);
    this.queue = this.options.queue;
    this.keys = this.options.secrets.length > 0 ? webhookKeys(this.options.secrets) : [];
    this.sender = new HttpSender(this.options, this.keys);
    this.capabilities = {
      ordering: "none",
      maxDelayMs: HTTP_MAX_DELAY_MS,
      leaseExtension: true,
      depth: true,
      oldestAge: true,
      deadLetter: true,
      maxPayloadBytes: this.options.maxPayloadBytes,
      durable: false,
      peek: false,
      priority: false,
    };
  }

  /**
   * Starts receiving on the URL's address and path (shared with the other transports of this process that listen
   * there), once; `receive()` calls it. Resolves with the bound address. Rejects with ConfigError for an https
   * receiver without key and cert, TransportError (`TRANSPORT_UNAVAILABLE`) when the address cannot be bound.
   */
  async listen(): Promise<HttpReceiverAddress> {
    if (this.closing) throw this.closedError();
    this.hold ??= this.startReceiver();
    return (await this.hold).address;
  }

  send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    const invalid = this.invalidMessages(messages);
    if (invalid) return Promise.reject(invalid);
    if (messages.length === 0) return Promise.resolve();
    const sent = this.sender.sendAll(messages, this.stopping.signal);
    const tracked = sent.catch(() => undefined).finally(() => this.sending.delete(tracked));
    this.sending.add(tracked);
    return sent;
  }

  async *receive(options: ReceiveOptions = {}): AsyncGenerator<Delivery> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopping.signal]) : this.stopping.signal;
    const leaseMs = options.leaseMs ?? this.options.leaseMs;
    const fromDeadLetters = options.deadLetters ?? false;
    if (this.closing) return;
    await this.listen();
    const buffer = (await this.hold)?.buffer;
    if (!buffer) return;
    let delivered = 0;
    while (!signal.aborted) {
      await this.inFlight.belowLimit(options.maxInFlight ?? 10, signal);
      if (signal.aborted) return;
      const now = this.options.now();
      const taken = buffer.take(now, leaseMs, this.options.maxAttempts, fromDeadLetters);
      if (taken) {
        yield this.deliver(buffer, taken.envelope, taken.attempt, taken.leaseId);
        // Let the receiver's requests run between deliveries: a consumer that nacks at once must not starve them.
        if (++delivered % 32 === 0) await setImmediate();
        continue;
      }
      await waitForWork({
        until: buffer.nextVisibleAt(fromDeadLetters),
        maxWaitMs: 60_000,
        signal,
        subscribe: (wake) => buffer.onWork(wake),
        now: this.options.now,
      });
    }
  }

  /** Depth of this process's receiver buffer for the URL; rejects `TRANSPORT_UNSUPPORTED` where none exists. */
  stats(): Promise<QueueStats> {
    const buffer = this.localBuffer();
    if (buffer instanceof TransportError) return Promise.reject(buffer);
    return Promise.resolve(buffer.stats(this.options.now()));
  }

  /** Drops the jobs waiting in this process's receiver buffer (not those in flight); returns how many. */
  purge(): Promise<number> {
    const buffer = this.localBuffer();
    if (buffer instanceof TransportError) return Promise.reject(buffer);
    return Promise.resolve(buffer.purge(this.options.now()));
  }

  /** Moves every dead letter of this process's receiver buffer back to the queue; returns how many. */
  redrive(): Promise<number> {
    const buffer = this.localBuffer();
    if (buffer instanceof TransportError) return Promise.reject(buffer);
    return Promise.resolve(buffer.redrive(this.options.now()));
  }

  /**
   * Stops accepting (new POSTs get 503 unless another transport of this process still receives on the route),
   * ends every receive, waits up to `drainTimeoutMs` for deliveries and sends under way, gives the unsettled
   * deliveries back to the buffer, then stops the receiver. Jobs still held die with the process.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      const hold = await this.hold?.catch(() => undefined);
      hold?.stopAccepting();
      this.stopping.abort();
      const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
      await Promise.all([this.inFlight.drain(drainTimeoutMs), settledWithin([...this.sending], drainTimeoutMs)]);
      this.sender.close();
      await hold?.release();
    })();
    return this.closing;
  }

  private async startReceiver(): Promise<ReceiverHold> {
    const problems = receiverProblems(this.options);
    if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", `cannot receive: ${problems.join("; ")}`);
    const policy: AcceptPolicy = {
      keys: this.keys,
      requireSignature: this.options.requireSignature,
      requireThriftMessage: this.options.requireThriftMessage,
      maxPayloadBytes: this.options.maxPayloadBytes,
      maxDelayMs: HTTP_MAX_DELAY_MS,
    };
    const hold = await holdReceiver(this.options, policy);
    // A close that began while the server started lets go at once.
    if (this.closing) await hold.release();
    return hold;
  }

  private deliver(buffer: ReceiveBuffer, envelope: Envelope, attempt: number, leaseId: number): Delivery {
    const ids = [envelope.id];
    const settle = (action: BufferSettlement): Promise<void> => {
      try {
        buffer.settle(leaseId, action, this.options.now());
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(this.withQueue(error, ids));
      }
    };
    return this.inFlight.track(envelope, attempt, this.queue, {
      ack: () => settle({ kind: "ack" }),
      nack: (delayMs, reason) =>
        settle({ kind: "nack", delayMs: clampDelay(delayMs), reason, maxAttempts: this.options.maxAttempts }),
      deadLetter: (reason) => settle({ kind: "dead", reason }),
      extendLease: (ms) => {
        try {
          buffer.extend(leaseId, this.options.now(), clampDelay(ms));
          return Promise.resolve();
        } catch (error) {
          return Promise.reject(this.withQueue(error, ids));
        }
      },
      release: () => settle({ kind: "release" }),
    });
  }

  /** Refuses a batch before anything is posted: payloads over the limit, delays over the maximum. */
  private invalidMessages(messages: readonly OutgoingMessage[]): TransportError | undefined {
    const oversized = oversizedPayloads(messages, this.capabilities.maxPayloadBytes, this.queue);
    if (oversized) return oversized;
    const badDelay = messages.filter((message) => {
      const delay = message.delayMs ?? 0;
      return !Number.isSafeInteger(delay) || delay < 0 || delay > HTTP_MAX_DELAY_MS;
    });
    if (badDelay.length > 0) {
      return new TransportError(
        "TRANSPORT_INVALID_MESSAGE",
        `nothing was sent: delayMs must be a whole number of ms up to ${HTTP_MAX_DELAY_MS}`,
        { queue: this.queue, messageIds: badDelay.map((message) => message.id) },
      );
    }
    return undefined;
  }

  private localBuffer(): ReceiveBuffer | TransportError {
    const buffer = findReceiveBuffer(this.options);
    if (buffer) return buffer;
    return new TransportError(
      "TRANSPORT_UNSUPPORTED",
      "the depth of an HTTP queue is known only in the process that receives it, and none does here",
      { queue: this.queue },
    );
  }

  private withQueue(error: unknown, ids: readonly string[]): Error {
    if (!(error instanceof TransportError)) return toThriftQueueError(error);
    return new TransportError(error.code, error.message, { queue: this.queue, messageIds: ids, cause: error.cause });
  }

  private closedError(): TransportError {
    return new TransportError("TRANSPORT_CLOSED", "the transport is closed", { queue: this.queue });
  }
}

function clampDelay(ms: number): number {
  return Number.isFinite(ms) ? Math.min(Math.max(0, Math.round(ms)), HTTP_MAX_DELAY_MS) : 0;
}

/** Resolves when every promise settled or `timeoutMs` passed. */
async function settledWithin(promises: readonly Promise<unknown>[], timeoutMs: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([Promise.allSettled(promises), timeout]);
  clearTimeout(timer);
}
