/**
 * Publishes envelopes to the work queue, a delay bucket or the dead-letter queue, each with a publisher
 * confirm. A message returned as unroutable (its queue was deleted under us) is published once more after the
 * topology is declared again; one that is still unroutable rejects.
 */
import type { Message } from "amqplib";
import { TransportError } from "../../errors.ts";
import { uuidv7 } from "../../ids.ts";
import { MetadataKey, type Envelope } from "../envelope.ts";
import type { OutgoingMessage } from "../transport.ts";
import type { AmqpConnection } from "./amqp-connection.ts";
import type { AmqpSession } from "./amqp-session.ts";
import { delayBucketMs, type QueueTopology } from "./amqp-topology.ts";
import { headerMetadata, publishOptions } from "./amqp-wire.ts";
import type { DelayQueues } from "./delay-queues.ts";
import type { Republisher } from "./lease-settlement.ts";

/** Longest dead-letter reason kept, in characters (AMQP headers share a 64 KiB table). */
const MAX_REASON_LENGTH = 1000;

/** Where one envelope goes: the work queue after a delay (0 for none), or the dead-letter queue. */
type Route = { readonly bucketMs: number } | { readonly dead: true };

/** What {@link EnvelopePublisher} needs. */
export interface EnvelopePublisherOptions {
  readonly connection: AmqpConnection;
  readonly topology: QueueTopology;
  readonly delayQueues: DelayQueues;
  /** Declares the work queue and dead-letter queue again on a session. */
  readonly redeclare: (session: AmqpSession) => Promise<void>;
}

/** Confirmed publishing of envelopes for `send`, retries and dead letters. */
export class EnvelopePublisher implements Republisher {
  private readonly options: EnvelopePublisherOptions;

  constructor(options: EnvelopePublisherOptions) {
    this.options = options;
  }

  /**
   * Publishes every message (in order, pipelined) and resolves once all are confirmed; otherwise rejects with one
   * TransportError naming the ids not confirmed (retryable when every failure was).
   */
  async publishAll(messages: readonly OutgoingMessage[]): Promise<void> {
    const session = await this.sessionFor(messages.map((message) => message.id));
    const routes = messages.map((message) => ({ bucketMs: delayBucketMs(message.delayMs ?? 0) }));
    const buckets = [...new Set(routes.map((route) => route.bucketMs).filter((bucket) => bucket > 0))];
    await Promise.all(buckets.map((bucket) => this.options.delayQueues.ensure(session, bucket))).catch((error) => {
      throw declareFailed(this.options.topology.main, messages, error);
    });
    const results = await Promise.allSettled(
      messages.map((message, index) => this.publish(session, message, 1, routes[index] ?? { bucketMs: 0 })),
    );
    const failures = results.flatMap((result, index) =>
      result.status === "rejected" ? [{ id: messages[index]?.id ?? "", error: result.reason as unknown }] : [],
    );
    if (failures.length > 0) throw sendFailed(this.options.topology.main, failures);
  }

  async retry(envelope: Envelope, attempt: number, delayMs: number): Promise<void> {
    const session = await this.sessionFor([envelope.id]);
    await this.publish(session, envelope, attempt, { bucketMs: delayBucketMs(delayMs) });
  }

  async deadLetter(envelope: Envelope, reason: string): Promise<void> {
    const session = await this.sessionFor([envelope.id]);
    const metadata = { ...envelope.metadata, [MetadataKey.deadLetterReason]: reason.slice(0, MAX_REASON_LENGTH) };
    await this.publish(session, { ...envelope, metadata }, 1, { dead: true });
  }

  /** Dead-letters a message that is not an envelope, under a new job id, keeping its body and string headers. */
  async deadLetterRaw(message: Message, reason: string): Promise<void> {
    const metadata: Record<string, string> = headerMetadata(message.properties.headers ?? {});
    const contentType: unknown = message.properties.contentType;
    if (typeof contentType === "string") metadata[MetadataKey.contentType] = contentType;
    const payload = new Uint8Array(message.content.buffer, message.content.byteOffset, message.content.byteLength);
    await this.deadLetter({ id: uuidv7(), metadata, payload }, reason);
  }

  private async publish(session: AmqpSession, envelope: Envelope, attempt: number, route: Route): Promise<void> {
    const { payload } = envelope;
    const content = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const options = publishOptions(envelope, attempt);
    for (let round = 1; ; round++) {
      const queue = await this.queueOf(session, route).catch((error: unknown) => {
        throw declareFailed(this.options.topology.main, [envelope], error);
      });
      const outcome = await session.publisher.publish(queue, content, options);
      if (outcome === "confirmed") return;
      if (round >= 2) {
        throw new TransportError("TRANSPORT_UNAVAILABLE", `queue ${queue} does not exist: message returned`, {
          retryable: true,
          queue,
          messageIds: [envelope.id],
        });
      }
      if ("dead" in route || route.bucketMs === 0) await this.options.redeclare(session);
      else this.options.delayQueues.forget(route.bucketMs);
    }
  }

  private async queueOf(session: AmqpSession, route: Route): Promise<string> {
    if ("dead" in route) return this.options.topology.dead;
    if (route.bucketMs === 0) return this.options.topology.main;
    return this.options.delayQueues.ensure(session, route.bucketMs);
  }

  private async sessionFor(ids: readonly string[]): Promise<AmqpSession> {
    try {
      return await this.options.connection.session();
    } catch (error) {
      if (error instanceof TransportError) {
        throw new TransportError(error.code, error.message, {
          cause: error.cause,
          retryable: error.retryable,
          queue: this.options.topology.main,
          messageIds: ids,
        });
      }
      throw error;
    }
  }
}

/** A delay queue could not be declared: refused by the broker (406, 403), or the channel failed (retryable). */
function declareFailed(queue: string, envelopes: readonly Envelope[], cause: unknown): TransportError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | undefined)?.code;
  const refused = code === 406 || code === 403;
  return new TransportError(
    refused ? "TRANSPORT_REJECTED" : "TRANSPORT_UNAVAILABLE",
    `cannot declare the delay queue: ${detail}`,
    {
      cause,
      retryable: !refused,
      queue,
      messageIds: envelopes.map((envelope) => envelope.id),
    },
  );
}

function sendFailed(queue: string, failures: readonly { id: string; error: unknown }[]): TransportError {
  const errors = failures.map((failure) => failure.error);
  const retryable = errors.every((error) => error instanceof TransportError && error.retryable);
  const first = errors[0];
  const detail = first instanceof Error ? first.message : String(first);
  const text = `${failures.length} message(s) not confirmed by the broker: ${detail}`;
  return new TransportError(retryable ? "TRANSPORT_UNAVAILABLE" : "TRANSPORT_REJECTED", text, {
    cause: first,
    retryable,
    queue,
    messageIds: failures.map((failure) => failure.id),
  });
}
