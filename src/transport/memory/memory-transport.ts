/**
 * The in-memory transport: the reference implementation of {@link Transport}, for tests and examples. Queues are
 * shared by name within the process (`memory://jobs` in a producer and a worker of one process meet); nothing
 * survives the process.
 */
import { TransportError } from "../../errors.ts";
import { InFlightDeliveries } from "../in-flight.ts";
import type { CloseOptions, Delivery, OutgoingMessage, QueueStats, ReceiveOptions, Transport } from "../transport.ts";
import type { QueueAdmin, TransportCapabilities } from "../transport.ts";
import { waitForWork } from "../wait-for-work.ts";
import type { Envelope } from "../envelope.ts";
import { MemoryQueue, type Settlement } from "./memory-queue.ts";
import { oversizedPayloads } from "../payload-limit.ts";

/** Options of {@link MemoryTransport}. */
export interface MemoryTransportOptions {
  /** Queue name; transports with the same name share messages. */
  queue: string;
  /** Deliveries before a message is dead-lettered. @defaultValue 5 */
  maxAttempts?: number;
  /** Default lease of a delivery, in ms. @defaultValue 30000 */
  leaseMs?: number;
  /** Largest payload accepted. @defaultValue 16 MiB */
  maxPayloadBytes?: number;
  /** Clock, for tests. @defaultValue Date.now */
  now?: () => number;
}

const queues = new Map<string, MemoryQueue>();

/** In-process queues, shared by name. */
export class MemoryTransport implements Transport {
  readonly kind = "memory";
  readonly queue: string;
  readonly capabilities: TransportCapabilities;
  /** A memory queue exists once named, and keeps its dead letters beside it: `create` has nothing to do. */
  readonly admin: QueueAdmin = {
    create: () => Promise.resolve(),
    redrive: () => this.redrive(),
  };
  private readonly state: MemoryQueue;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly inFlight = new InFlightDeliveries();
  private readonly stopping = new AbortController();
  private closing: Promise<void> | undefined;

  constructor(options: MemoryTransportOptions) {
    this.queue = options.queue;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.now = options.now ?? Date.now;
    const maxPayloadBytes = options.maxPayloadBytes ?? 16 * 1024 * 1024;
    this.capabilities = {
      ordering: "fifo",
      maxDelayMs: Number.MAX_SAFE_INTEGER,
      leaseExtension: true,
      depth: true,
      oldestAge: true,
      deadLetter: true,
      maxPayloadBytes,
      durable: false,
      peek: false,
      priority: false,
    };
    let state = queues.get(options.queue);
    if (!state) queues.set(options.queue, (state = new MemoryQueue(options.queue)));
    this.state = state;
  }

  send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    const oversized = oversizedPayloads(messages, this.capabilities.maxPayloadBytes, this.queue);
    if (oversized) return Promise.reject(oversized);
    this.state.push(messages, this.now());
    return Promise.resolve();
  }

  async *receive(options: ReceiveOptions = {}): AsyncGenerator<Delivery> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopping.signal]) : this.stopping.signal;
    const leaseMs = options.leaseMs ?? this.leaseMs;
    const fromDeadLetters = options.deadLetters ?? false;
    let delivered = 0;
    while (!signal.aborted) {
      await this.inFlight.belowLimit(options.maxInFlight ?? 10, signal);
      if (signal.aborted) return;
      const taken = this.state.take(this.now(), leaseMs, this.maxAttempts, fromDeadLetters);
      if (taken) {
        yield this.deliver(taken.envelope, taken.attempt, taken.leaseId);
        // Let timers and I/O run between deliveries, as a network broker would: a consumer that nacks every
        // message at once must not starve the event loop.
        if (++delivered % 32 === 0) await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const until = this.state.nextVisibleAt(fromDeadLetters);
      await waitForWork({
        until,
        maxWaitMs: 60_000,
        signal,
        subscribe: (wake) => this.state.onWork(wake),
        now: this.now,
      });
    }
  }

  stats(): Promise<QueueStats> {
    return Promise.resolve(this.state.stats(this.now()));
  }

  purge(): Promise<number> {
    return Promise.resolve(this.state.purge(this.now()));
  }

  /** Moves every dead letter back to the queue; returns how many. */
  redrive(): Promise<number> {
    return Promise.resolve(this.state.redrive(this.now()));
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      this.stopping.abort();
      await this.inFlight.drain(options.drainTimeoutMs ?? 30_000);
    })();
    return this.closing;
  }

  private deliver(envelope: Envelope, attempt: number, leaseId: number): Delivery {
    const settle = (action: Settlement): Promise<void> => {
      this.state.settle(leaseId, action, this.now());
      return Promise.resolve();
    };
    return this.inFlight.track(envelope, attempt, this.queue, {
      ack: () => settle({ kind: "ack" }),
      nack: (delayMs, reason) => settle({ kind: "nack", delayMs, reason, maxAttempts: this.maxAttempts }),
      deadLetter: (reason) => settle({ kind: "dead", reason }),
      extendLease: (ms) => {
        this.state.extend(leaseId, this.now(), ms);
        return Promise.resolve();
      },
      release: () => settle({ kind: "release" }),
    });
  }

  private closedError(): TransportError {
    return new TransportError("TRANSPORT_CLOSED", "the transport is closed", { queue: this.queue });
  }
}
