/**
 * The acks of one consumer channel, sent together. Acks asked for before the channel's next ack barrier round trip
 * (ack-barrier.ts) are written just before its request, so the request's reply still proves they were processed;
 * and the run of them that covers every delivery from the oldest unsettled one on goes as one `multiple` ack (one
 * frame for the broker to read instead of one per message), the rest one by one. A `multiple` ack of tag T
 * settles every unsettled delivery up to T, so it is only used for a run in which every delivery is acked or was
 * already settled.
 */
import type { Message } from "amqplib";

/** Writes one ack: of `message` alone, or of every unsettled delivery up to it. */
export type AckWriter = (message: Message, allUpTo: boolean) => void;

/** Every so many settled deliveries at the head, the list of deliveries is compacted. */
const COMPACT_AFTER = 1024;

/** Tracks a channel's deliveries in delivery order and writes the acks asked for in as few frames as it can. */
export class DeliveryAcks {
  /** Deliveries in delivery-tag order (tags only grow on a channel); those before `head` are settled. */
  #deliveries: Message[] = [];
  #head = 0;
  /** Tags settled out of order (acked alone or requeued), skipped when the head reaches them. */
  readonly #settled = new Set<number>();
  /** Acks asked for and not yet written. */
  readonly #waiting = new Map<number, Message>();

  /** Acks waiting to be written. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** A message the channel delivered. */
  delivered(message: Message): void {
    this.#deliveries.push(message);
  }

  /** Asks for an ack of `message`, written by the next {@link flush}. */
  ack(message: Message): void {
    this.#waiting.set(message.fields.deliveryTag, message);
  }

  /** `message` was settled another way (requeued): it no longer holds a run of acks back. */
  settled(message: Message): void {
    this.#settled.add(message.fields.deliveryTag);
  }

  /** Writes every waiting ack: the run from the oldest unsettled delivery as one, the others alone. */
  flush(write: AckWriter): void {
    if (this.#waiting.size === 0) return;
    let last: Message | undefined;
    let acked = 0;
    while (this.#head < this.#deliveries.length) {
      const message = this.#deliveries[this.#head]!;
      const tag = message.fields.deliveryTag;
      if (this.#waiting.delete(tag)) {
        last = message;
        acked++;
      } else if (!this.#settled.delete(tag)) {
        break;
      }
      this.#head++;
    }
    if (last !== undefined) write(last, acked > 1);
    for (const [tag, message] of this.#waiting) {
      this.#settled.add(tag);
      write(message, false);
    }
    this.#waiting.clear();
    this.#compact();
  }

  #compact(): void {
    if (this.#head < COMPACT_AFTER || this.#head * 2 < this.#deliveries.length) return;
    this.#deliveries = this.#deliveries.slice(this.#head);
    this.#head = 0;
  }
}
