/**
 * The transport contract: how envelopes reach a broker and come back as deliveries. Every implementation
 * (memory, SQLite, SQS, AMQP, HTTP) passes the same conformance suite; what differs is declared in
 * {@link TransportCapabilities}, which the runtime and the suite read instead of checking classes.
 */
import type { Envelope } from "./envelope.ts";

/** What a transport can do, as data. */
export interface TransportCapabilities {
  /** `none`: any order; `fifo`: one queue order; `group`: order within a FIFO group. */
  readonly ordering: "none" | "fifo" | "group";
  /** Longest delay a send or a nack may ask for, in ms; 0 when delays are not supported. */
  readonly maxDelayMs: number;
  /** Whether a consumer can extend a delivery's lease while it works. */
  readonly leaseExtension: boolean;
  /** Whether {@link Transport.stats} reports depth. */
  readonly depth: boolean;
  /** Whether {@link Transport.stats} reports the age of the oldest waiting message (`oldestAgeMs`). */
  readonly oldestAge: boolean;
  /** Whether messages that exhaust their attempts, or are rejected, go to a dead-letter queue. */
  readonly deadLetter: boolean;
  /** Largest payload accepted, in bytes (after any offloading, such as SQS to S3). */
  readonly maxPayloadBytes: number;
  /** Whether an accepted message survives a crash of the process that accepted it. */
  readonly durable: boolean;
  /** Whether messages can be read without taking them (`recv --peek`). */
  readonly peek: boolean;
  /** Whether sends can carry a priority. */
  readonly priority: boolean;
}

/** One message to send. */
export interface OutgoingMessage extends Envelope {
  /** Do not deliver before this many ms from now. @defaultValue 0 */
  readonly delayMs?: number;
  /** Higher first, where supported (AMQP priority queues). */
  readonly priority?: number;
  /** FIFO queues: messages of a group are delivered in order. */
  readonly groupId?: string;
  /** FIFO queues: a resend with the same id within the broker's window is dropped. */
  readonly deduplicationId?: string;
}

/** How a delivery is given back without success. */
export interface NackOptions {
  /** Make the message visible again after this many ms. @defaultValue 0 */
  readonly delayMs?: number;
  /** Why, for logs and for the dead-letter record if this was the last attempt. */
  readonly reason?: string;
}

/**
 * A received message, leased to this consumer until it is settled or the lease runs out (then the broker
 * delivers it again). Settling is idempotent: after the first `ack`, `nack` or `deadLetter`, the others resolve
 * and do nothing. Settling after the lease was lost and the message redelivered rejects with
 * `TRANSPORT_LEASE_LOST` (the new delivery owns it now).
 */
export interface Delivery extends Envelope {
  /** 1 on the first delivery, counting every redelivery (nack, lease expiry, crash). */
  readonly attempt: number;
  /** The queue it came from. */
  readonly queue: string;
  /** Removes the message: the job is done. */
  ack(): Promise<void>;
  /** Gives the message back for another attempt; on the last allowed attempt it is dead-lettered instead. */
  nack(options?: NackOptions): Promise<void>;
  /** Moves the message to the dead-letter queue with a reason (undecodable, declared failure …). */
  deadLetter(reason: string): Promise<void>;
  /** Extends the lease to `ms` from now; a no-op where {@link TransportCapabilities.leaseExtension} is false. */
  extendLease(ms: number): Promise<void>;
}

/** Options of {@link Transport.receive}. */
export interface ReceiveOptions {
  /** Stops the iteration (pending waits end at once). */
  readonly signal?: AbortSignal;
  /** Lease of each delivery, in ms. @defaultValue the transport's configured lease (30 s) */
  readonly leaseMs?: number;
  /** Most unsettled deliveries this iterator holds at once (prefetch). @defaultValue 10 */
  readonly maxInFlight?: number;
  /** Read the dead-letter queue instead of the queue. @defaultValue false */
  readonly deadLetters?: boolean;
  /**
   * Read without taking, where {@link TransportCapabilities.peek} is true: a nacked delivery goes back unchanged
   * (its attempt is not counted and it is never dead-lettered for it). @defaultValue false
   */
  readonly peek?: boolean;
}

/** Queue depth, as far as the broker tells. Unknown figures are `undefined`. */
export interface QueueStats {
  /** Ready to be delivered now. */
  readonly visible: number;
  /** Delivered and not yet settled. */
  readonly inFlight: number;
  /** Waiting for a delay to pass. */
  readonly delayed: number;
  /** Age of the oldest message waiting, in ms; `undefined` when unknown or none. */
  readonly oldestAgeMs: number | undefined;
  /** Messages in the dead-letter queue, where known. */
  readonly deadLettered: number | undefined;
}

/** Options of {@link Transport.close}. */
export interface CloseOptions {
  /** How long in-flight deliveries may take to settle before they are released for redelivery. @defaultValue 30000 */
  readonly drainTimeoutMs?: number;
}

/**
 * Queue management where the broker has queues to manage (`thrift-queue queues`). Both methods are safe to call
 * while other transports send to and receive from the queue.
 */
export interface QueueAdmin {
  /**
   * Creates the queue and its dead-letter queue when missing, per the transport's settings (`maxAttempts` is the
   * dead-letter-after count where the broker keeps one with the queue). Idempotent: an existing queue with the same
   * settings is left as it is.
   */
  create(): Promise<void>;
  /**
   * Moves every dead letter back to the queue, attempts reset and `dead-letter-reason` removed; returns how many
   * where known. Never loses a message: each copy is durably accepted before its dead letter is removed (a failure
   * in between leaves a duplicate, never a gap). Dead letters that are leased, or that arrive during the call, may
   * stay for the next redrive.
   */
  redrive(): Promise<number | undefined>;
  /** The dead-letter queue's name where it is a queue of its own on the broker (`Q.dead` on AMQP). */
  readonly deadLetterQueue?: string;
}

/**
 * A queue on a broker. `send` is safe to call concurrently; each `receive()` call is one consumer. `close()` is
 * idempotent: it ends every receive iteration, waits up to `drainTimeoutMs` for deliveries already handed out
 * to be settled, releases the rest for redelivery (never losing them) and closes connections.
 */
export interface Transport {
  /** The URL scheme family: `memory`, `sqlite`, `sqs`, `amqp`, `http`. */
  readonly kind: string;
  /** The queue name. */
  readonly queue: string;
  readonly capabilities: TransportCapabilities;
  /** Creating the queue and redriving its dead letters, where the transport can; absent elsewhere. */
  readonly admin?: QueueAdmin;
  /**
   * Sends messages; resolves once the broker has durably accepted every one (in order), or rejects with a
   * TransportError naming the ids that were not accepted. Payloads over `maxPayloadBytes` reject with
   * `TRANSPORT_PAYLOAD_TOO_LARGE` before anything is sent.
   */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Receives deliveries until the signal aborts or the transport closes. */
  receive(options?: ReceiveOptions): AsyncIterable<Delivery>;
  /** Depth of the queue (and of its dead-letter queue where known). */
  stats(): Promise<QueueStats>;
  /** Removes every message waiting in the queue (not those in flight); returns how many where known. */
  purge(): Promise<number | undefined>;
  close(options?: CloseOptions): Promise<void>;
}
