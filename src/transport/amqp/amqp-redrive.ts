/**
 * Redriving an AMQP queue's dead letters (`QueueAdmin.redrive`): each message of `Q.dead` is taken with
 * `basic.get`, published to Q as a fresh first attempt — no `attempt` header, no `dead-letter-reason` — with a
 * publisher confirm, and acked in `Q.dead` only after that confirm. A failure or crash in between leaves the copy
 * in Q and the dead letter back in `Q.dead` (a duplicate, never a loss).
 */
import type { Channel, GetMessage } from "amqplib";
import { TransportError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { MetadataKey, type Envelope } from "../envelope.ts";
import type { AmqpSession } from "./amqp-session.ts";
import type { QueueTopology } from "./amqp-topology.ts";
import { readMessage } from "./amqp-wire.ts";
import type { Republisher } from "./lease-settlement.ts";

/** What {@link redriveDeadLetters} works with. */
export interface RedriveContext {
  readonly session: AmqpSession;
  readonly topology: QueueTopology;
  /** Publishes the copies to Q, each with a confirm (the transport's envelope publisher). */
  readonly republisher: Republisher;
  readonly logger: Logger;
}

/** Copies awaiting their confirm at once: enough to hide the broker's disk writes, few enough to stop soon. */
const MAX_PENDING_COPIES = 64;

/**
 * Moves the dead letters waiting in `Q.dead` when it starts back to Q, and returns how many it moved. Dead letters
 * are taken one at a time and their copies pipelined, each dead letter acked once its own copy is confirmed. Those
 * that arrive meanwhile (a consumer failing the redriven ones again) are left for the next redrive, so it always
 * ends. Rejects with a TransportError saying how many were moved before the first failure.
 */
export async function redriveDeadLetters(context: RedriveContext): Promise<number> {
  const { session, topology, logger } = context;
  let channel: Channel;
  try {
    channel = await session.model.createChannel();
  } catch (error) {
    throw redriveFailed(topology, 0, error);
  }
  // A channel error also rejects the pending operation, which reports it; the listener only keeps it from crashing.
  channel.on("error", (error: Error) => logger.debug({ err: error }, "AMQP redrive channel error"));
  const pending = new Set<Promise<void>>();
  let moved = 0;
  let failure: { readonly error: unknown } | undefined;
  const copyThenAck = (message: GetMessage): void => {
    const copied: Promise<void> = context.republisher
      .retry(firstAttemptCopy(message), 1, 0)
      .then(() => {
        channel.ack(message);
        moved++;
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => pending.delete(copied));
    pending.add(copied);
  };
  try {
    const { messageCount: waiting } = await channel.checkQueue(topology.dead);
    for (let taken = 0; taken < waiting && !failure; taken++) {
      const message = await channel.get(topology.dead, { noAck: false });
      if (message === false || failure) break;
      copyThenAck(message);
      if (pending.size >= MAX_PENDING_COPIES) await Promise.race(pending);
    }
  } catch (error) {
    failure ??= { error };
  }
  await Promise.all(pending);
  // close-ok comes after the broker has handled every ack sent before it; unacked dead letters go back to Q.dead.
  await channel.close().catch(() => undefined);
  if (failure) throw redriveFailed(topology, moved, failure.error);
  return moved;
}

/** The envelope of a dead letter, as a new message: its id, body and metadata, without the dead-letter reason. */
function firstAttemptCopy(message: GetMessage): Envelope {
  const read = readMessage(message, { countBrokerRedeliveries: false, fromDeadLetters: true });
  // Reading from the dead-letter queue always yields an envelope (a message without id gets a new one).
  if (!read.ok) throw new Error(read.reason);
  const { [MetadataKey.deadLetterReason]: _reason, ...metadata } = read.envelope.metadata;
  return { ...read.envelope, metadata };
}

function redriveFailed(topology: QueueTopology, moved: number, cause: unknown): TransportError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const text = `redrive of ${topology.dead} stopped after ${moved} message(s): ${detail}`;
  const retryable = !(cause instanceof TransportError) || cause.retryable;
  return new TransportError(retryable ? "TRANSPORT_UNAVAILABLE" : "TRANSPORT_REJECTED", text, {
    cause,
    retryable,
    queue: topology.main,
  });
}
