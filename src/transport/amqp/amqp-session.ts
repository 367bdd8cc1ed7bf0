/** One live AMQP connection and the shared channels the transport uses on it. */
import type { ChannelModel } from "amqplib";
import type { Logger } from "../../logger.ts";
import { AdminChannel } from "./admin-channel.ts";
import { ConfirmPublisher } from "./confirm-publisher.ts";

/** A connection from open to close; a reconnect makes a new session. */
export class AmqpSession {
  readonly model: ChannelModel;
  /** Counts connections of one transport, for logs. */
  readonly generation: number;
  readonly publisher: ConfirmPublisher;
  readonly admin: AdminChannel;
  /** Resolves when the connection closes, for whatever reason. */
  readonly closed: Promise<void>;
  private open = true;

  constructor(model: ChannelModel, generation: number, logger: Logger) {
    this.model = model;
    this.generation = generation;
    this.publisher = new ConfirmPublisher(model, logger);
    this.admin = new AdminChannel(model, logger);
    this.closed = new Promise((resolve) => {
      model.once("close", () => {
        this.open = false;
        resolve();
      });
    });
  }

  /** Whether the connection is still open. */
  get isOpen(): boolean {
    return this.open;
  }

  /** Closes the connection (and with it every channel: unacked deliveries go back to their queues). */
  async close(): Promise<void> {
    if (!this.open) return;
    await this.model.close().catch(() => undefined);
  }
}
