/**
 * The queues the AMQP transport declares for a work queue Q, and their arguments. Pure: no I/O here.
 *
 * Classic queues (Q and Q.dead when classic, the delay queues always) are declared with `x-queue-version` (2 by
 * default: the message store of RabbitMQ 3.10+ that costs the broker less CPU per persistent message); see
 * queue-declaration.ts for queues that already exist with another version.
 *
 * - `Q`: durable, classic or quorum; rejected or expired messages dead-letter to `Q.dead` (quorum queues also
 *   after `x-delivery-limit` returns, which catches crash loops).
 * - `Q.dead`: durable, same type as Q; read back with `receive({ deadLetters: true })`.
 * - `Q.delay.<ms>`: one durable classic queue per delay bucket, created on first use, whose `x-message-ttl` is the
 *   bucket and whose expired messages dead-letter back to Q. Every message in a bucket has the same TTL, so the
 *   head always expires first (per-message TTL would only expire at the head of a shared queue).
 */
import type { AmqpQueueType, ClassicQueueVersion } from "./amqp-options.ts";

/** Queue arguments as AMQP tables carry them. */
export type QueueArguments = Readonly<Record<string, string | number>>;

/** One queue to declare. */
export interface QueueDeclaration {
  readonly name: string;
  readonly arguments: QueueArguments;
}

/**
 * An idle delay queue is deleted by the broker after its TTL plus twice this; the transport re-declares a bucket
 * before publishing when its last declaration is older than this, so no bucket expires with messages inside.
 */
export const DELAY_QUEUE_IDLE_MS = 10 * 60_000;

/** Longest delay: AMQP TTLs are 32-bit, and we keep to the signed range. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/** The names and arguments of one work queue's topology. */
export class QueueTopology {
  readonly main: string;
  readonly dead: string;
  private readonly type: AmqpQueueType;
  private readonly maxAttempts: number;
  private readonly classicVersion: ClassicQueueVersion;

  constructor(queue: string, type: AmqpQueueType, maxAttempts: number, classicVersion: ClassicQueueVersion = 2) {
    this.main = queue;
    this.dead = `${queue}.dead`;
    this.type = type;
    this.maxAttempts = maxAttempts;
    this.classicVersion = classicVersion;
  }

  /** Whether the work queue is a quorum queue (which counts redeliveries in `x-delivery-count`). */
  get quorum(): boolean {
    return this.type === "quorum";
  }

  /** The work queue and its dead-letter queue, dead-letter queue first (Q routes to it). */
  declarations(): readonly QueueDeclaration[] {
    const typeArguments: Record<string, string | number> = this.quorum
      ? { "x-queue-type": "quorum" }
      : { "x-queue-type": "classic", "x-queue-version": this.classicVersion };
    const mainArguments: Record<string, string | number> = {
      ...typeArguments,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": this.dead,
    };
    if (this.quorum) mainArguments["x-delivery-limit"] = this.maxAttempts;
    return [
      { name: this.dead, arguments: typeArguments },
      { name: this.main, arguments: mainArguments },
    ];
  }

  /** The delay queue of a bucket (see {@link delayBucketMs}). */
  delayQueue(bucketMs: number): QueueDeclaration {
    return {
      name: `${this.main}.delay.${bucketMs}`,
      arguments: {
        "x-queue-type": "classic",
        "x-queue-version": this.classicVersion,
        "x-message-ttl": bucketMs,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": this.main,
        "x-expires": bucketMs + 2 * DELAY_QUEUE_IDLE_MS,
      },
    };
  }
}

/**
 * The bucket a delay falls in: rounded up to 100 ms below one second, and to two significant digits above (at
 * most 10% late), so jittered backoffs share a bounded set of queues. 0 for no delay.
 */
export function delayBucketMs(delayMs: number): number {
  if (!(delayMs > 0)) return 0;
  const capped = Math.min(Math.ceil(delayMs), MAX_DELAY_MS);
  const step = capped < 1000 ? 100 : 10 ** (String(capped).length - 2);
  return Math.min(Math.ceil(capped / step) * step, MAX_DELAY_MS);
}
