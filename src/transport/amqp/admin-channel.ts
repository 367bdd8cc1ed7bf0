/**
 * A channel for declarations, queue checks, purges and peeks. A failed operation (406 PRECONDITION_FAILED, 404
 * NOT_FOUND…) closes an AMQP channel, so operations run one at a time and the channel is reopened after each
 * such failure; the other channels of the connection are not affected.
 */
import type { Channel, ChannelModel } from "amqplib";
import type { Logger } from "../../logger.ts";

/** Serialized operations on a self-healing channel of one connection. */
export class AdminChannel {
  private readonly model: ChannelModel;
  private readonly logger: Logger;
  private channel: Promise<Channel> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(model: ChannelModel, logger: Logger) {
    this.model = model;
    this.logger = logger;
  }

  /** Runs `operation` after the ones before it, on an open channel. */
  run<T>(operation: (channel: Channel) => Promise<T>): Promise<T> {
    const result = this.queue.then(async () => operation(await this.open()));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Closes the channel. */
  async close(): Promise<void> {
    const channel = await this.channel?.catch(() => undefined);
    await channel?.close().catch(() => undefined);
  }

  private open(): Promise<Channel> {
    this.channel ??= this.model.createChannel().then(
      (channel) => {
        channel.on("error", (error: Error) => this.logger.debug({ err: error }, "AMQP admin channel error"));
        channel.on("close", () => (this.channel = undefined));
        return channel;
      },
      (error: unknown) => {
        this.channel = undefined;
        throw error;
      },
    );
    return this.channel;
  }
}
