/**
 * Bookkeeping every transport needs for the deliveries it has handed out: settle-once semantics, a bound on how
 * many are unsettled (prefetch), and draining them on close.
 */
import type { Envelope } from "./envelope.ts";
import type { Delivery, NackOptions } from "./transport.ts";
import { Wakeup } from "./wakeup.ts";

/** What a transport does to settle one delivery on its broker. */
export interface SettleOperations {
  ack(): Promise<void>;
  nack(delayMs: number, reason: string | undefined): Promise<void>;
  deadLetter(reason: string): Promise<void>;
  extendLease(ms: number): Promise<void>;
  /** Gives the message back at once, for redelivery elsewhere (on close). */
  release(): Promise<void>;
}

class TrackedDelivery implements Delivery {
  readonly id: string;
  readonly metadata: Envelope["metadata"];
  readonly payload: Uint8Array;
  readonly attempt: number;
  readonly queue: string;
  private settled: Promise<void> | undefined;
  private readonly operations: SettleOperations;
  private readonly onSettled: (delivery: TrackedDelivery) => void;

  constructor(
    envelope: Envelope,
    attempt: number,
    queue: string,
    operations: SettleOperations,
    onSettled: (delivery: TrackedDelivery) => void,
  ) {
    this.id = envelope.id;
    this.metadata = envelope.metadata;
    this.payload = envelope.payload;
    this.attempt = attempt;
    this.queue = queue;
    this.operations = operations;
    this.onSettled = onSettled;
  }

  ack(): Promise<void> {
    return this.settleOnce(() => this.operations.ack());
  }

  nack(options: NackOptions = {}): Promise<void> {
    return this.settleOnce(() => this.operations.nack(options.delayMs ?? 0, options.reason));
  }

  deadLetter(reason: string): Promise<void> {
    return this.settleOnce(() => this.operations.deadLetter(reason));
  }

  extendLease(ms: number): Promise<void> {
    if (this.settled) return Promise.resolve();
    return this.operations.extendLease(ms);
  }

  /** Releases the message for redelivery unless it was settled meanwhile. */
  release(): Promise<void> {
    return this.settleOnce(() => this.operations.release());
  }

  private settleOnce(operation: () => Promise<void>): Promise<void> {
    // The first settlement wins; later calls share its outcome. A failed settlement leaves the message leased
    // (the broker redelivers it when the lease runs out), so it still counts as settled for this consumer.
    if (this.settled) return this.settled;
    // Started at once (the operations only ever return promises); a synchronous throw becomes the rejection.
    let running: Promise<void>;
    try {
      running = operation();
    } catch (error) {
      running = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // then() with both handlers rather than finally(): one promise instead of three for every delivery settled.
    this.settled = running.then(
      () => this.onSettled(this),
      (error: unknown) => {
        this.onSettled(this);
        throw error;
      },
    );
    return this.settled;
  }
}

/** The unsettled deliveries of one transport. */
export class InFlightDeliveries {
  private readonly pending = new Set<TrackedDelivery>();
  private readonly settled = new Wakeup();

  /** How many deliveries are handed out and not yet settled. */
  get size(): number {
    return this.pending.size;
  }

  /** Wraps a received message into a {@link Delivery} that is tracked until settled. */
  track(envelope: Envelope, attempt: number, queue: string, operations: SettleOperations): Delivery {
    const delivery = new TrackedDelivery(envelope, attempt, queue, operations, this.forget);
    this.pending.add(delivery);
    return delivery;
  }

  /** A delivery was settled; one function for all of them rather than a closure per delivery. */
  private readonly forget = (settled: TrackedDelivery): void => {
    this.pending.delete(settled);
    this.settled.wakeAll();
  };

  /** Resolves once fewer than `limit` deliveries are unsettled, or when the signal aborts. */
  async belowLimit(limit: number, signal: AbortSignal): Promise<void> {
    while (this.pending.size >= limit && !signal.aborted) await this.settled.wait(signal);
  }

  /**
   * Waits up to `timeoutMs` for every delivery to be settled, then releases the rest for redelivery. Release
   * failures are ignored: those messages come back when their lease runs out.
   */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const never = new AbortController().signal;
    while (this.pending.size > 0 && Date.now() < deadline) await this.settled.wait(never, deadline - Date.now());
    await Promise.allSettled([...this.pending].map((delivery) => delivery.release()));
  }
}
