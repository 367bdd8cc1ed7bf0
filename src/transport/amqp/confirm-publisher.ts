/**
 * Publishing with publisher confirms on one connection: many publishes in flight on one confirm channel
 * (pipelined), each resolving only when the broker confirms it. Unroutable messages (`mandatory`, returned
 * before their confirm) are reported as `returned`, so the caller can re-declare and publish again.
 */
import type { ChannelModel, ConfirmChannel, Message, Options } from "amqplib";
import { TransportError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";

/** What the broker did with a confirmed publish. */
export type PublishOutcome = "confirmed" | "returned";

/** One confirm channel, reopened after a channel error for as long as its connection lives. */
export class ConfirmPublisher {
  private readonly model: ChannelModel;
  private readonly logger: Logger;
  private channel: Promise<ConfirmChannel> | undefined;
  /** Message ids returned as unroutable and not yet matched with their confirm. */
  private readonly returned = new Map<string, number>();
  /** Set while the socket buffer is full; publishes wait for it to drain. */
  private drained: Promise<void> | undefined;

  constructor(model: ChannelModel, logger: Logger) {
    this.model = model;
    this.logger = logger;
  }

  /**
   * Publishes to the default exchange and resolves on the broker's confirm. Rejects with a retryable
   * `TRANSPORT_UNAVAILABLE` when the channel or connection closes first or the broker nacks; a message the
   * client cannot encode rejects with `TRANSPORT_REJECTED`.
   */
  async publish(queue: string, content: Buffer, options: Options.Publish): Promise<PublishOutcome> {
    const channel = await this.open();
    if (this.drained) await this.drained;
    const id = options.messageId ?? "";
    return new Promise<PublishOutcome>((resolve, reject) => {
      let flushed: boolean;
      try {
        flushed = channel.publish("", queue, content, options, (error: unknown) => {
          if (error) reject(unavailable(queue, id, error));
          else resolve(this.takeReturned(id) ? "returned" : "confirmed");
        });
      } catch (error) {
        reject(error instanceof RangeError ? rejected(queue, id, error) : unavailable(queue, id, error));
        return;
      }
      if (!flushed) this.waitForDrain(channel);
    });
  }

  /** Closes the channel; publishes still waiting for confirms reject. */
  async close(): Promise<void> {
    const channel = await this.channel?.catch(() => undefined);
    await channel?.close().catch(() => undefined);
  }

  private open(): Promise<ConfirmChannel> {
    this.channel ??= this.model.createConfirmChannel().then(
      (channel) => this.watch(channel),
      (error: unknown) => {
        this.channel = undefined;
        throw unavailable("", "", error);
      },
    );
    return this.channel;
  }

  private watch(channel: ConfirmChannel): ConfirmChannel {
    channel.on("error", (error: Error) => this.logger.warn({ err: error }, "AMQP publish channel error"));
    channel.on("close", () => {
      this.channel = undefined;
      this.drained = undefined;
    });
    channel.on("return", (message: Message) => {
      const id: unknown = message.properties.messageId;
      if (typeof id === "string") this.returned.set(id, (this.returned.get(id) ?? 0) + 1);
    });
    return channel;
  }

  private takeReturned(id: string): boolean {
    const count = this.returned.get(id);
    if (count === undefined) return false;
    if (count <= 1) this.returned.delete(id);
    else this.returned.set(id, count - 1);
    return true;
  }

  private waitForDrain(channel: ConfirmChannel): void {
    this.drained ??= new Promise<void>((resolve) => {
      const done = (): void => {
        channel.off("drain", done);
        channel.off("close", done);
        this.drained = undefined;
        resolve();
      };
      channel.on("drain", done);
      channel.on("close", done);
    });
  }
}

function unavailable(queue: string, id: string, cause: unknown): TransportError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new TransportError("TRANSPORT_UNAVAILABLE", `publish not confirmed: ${detail}`, {
    cause,
    retryable: true,
    queue,
    messageIds: id === "" ? [] : [id],
  });
}

function rejected(queue: string, id: string, cause: Error): TransportError {
  return new TransportError("TRANSPORT_REJECTED", `message cannot be published: ${cause.message}`, {
    cause,
    queue,
    messageIds: id === "" ? [] : [id],
  });
}
