/** Delivery acks: a run from the oldest unsettled delivery goes as one multiple ack, the others alone. */
import type { Message } from "amqplib";
import { describe, expect, it } from "vitest";
import { DeliveryAcks } from "../../../../src/transport/amqp/delivery-acks.ts";

const message = (deliveryTag: number): Message => ({ fields: { deliveryTag } }) as unknown as Message;

function flushed(acks: DeliveryAcks): [number, boolean][] {
  const written: [number, boolean][] = [];
  acks.flush((acked, allUpTo) => written.push([acked.fields.deliveryTag, allUpTo]));
  return written;
}

describe("DeliveryAcks", () => {
  it("writes nothing until flushed, then the contiguous run as one multiple ack", () => {
    const acks = new DeliveryAcks();
    const messages = [1, 2, 3, 4].map(message);
    for (const m of messages) acks.delivered(m);
    acks.ack(messages[1]!);
    acks.ack(messages[0]!);
    acks.ack(messages[2]!);
    expect(acks.waiting).toBe(3);
    expect(flushed(acks)).toEqual([[3, true]]);
    expect(acks.waiting).toBe(0);
    expect(flushed(acks)).toEqual([]);
  });

  it("acks alone what an unsettled delivery before it holds back, and never covers that delivery", () => {
    const acks = new DeliveryAcks();
    const messages = [1, 2, 3, 4, 5].map(message);
    for (const m of messages) acks.delivered(m);
    acks.ack(messages[2]!);
    acks.ack(messages[4]!);
    expect(flushed(acks)).toEqual([
      [3, false],
      [5, false],
    ]);
    // Once the first is acked, the run reaches the second (still unsettled) and stops there.
    acks.ack(messages[0]!);
    expect(flushed(acks)).toEqual([[1, false]]);
    acks.ack(messages[1]!);
    acks.ack(messages[3]!);
    // 2 and 4, with 3 and 5 already settled between and after them: one multiple ack up to 4.
    expect(flushed(acks)).toEqual([[4, true]]);
  });

  it("lets a requeued delivery be part of a run (it is already settled)", () => {
    const acks = new DeliveryAcks();
    const messages = [1, 2, 3].map(message);
    for (const m of messages) acks.delivered(m);
    acks.settled(messages[1]!);
    acks.ack(messages[0]!);
    acks.ack(messages[2]!);
    expect(flushed(acks)).toEqual([[3, true]]);
  });

  it("keeps working past compaction of a long list", () => {
    const acks = new DeliveryAcks();
    for (let round = 0; round < 5; round++) {
      const messages = Array.from({ length: 1000 }, (_, i) => message(round * 1000 + i + 1));
      for (const m of messages) acks.delivered(m);
      for (const m of messages) acks.ack(m);
      expect(flushed(acks)).toEqual([[round * 1000 + 1000, true]]);
    }
  });
});
