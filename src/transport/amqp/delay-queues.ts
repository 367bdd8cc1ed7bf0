/**
 * The delay-bucket queues (`Q.delay.<ms>`), declared on first use. A bucket idle for long is deleted by the
 * broker (`x-expires`), so a bucket is declared again on each new connection and before a publish when its last
 * declaration is older than {@link DELAY_QUEUE_IDLE_MS}: a bucket never expires with messages inside.
 */
import type { Channel } from "amqplib";
import type { AmqpSession } from "./amqp-session.ts";
import { declareQueue } from "./queue-declaration.ts";
import { DELAY_QUEUE_IDLE_MS, type QueueTopology } from "./amqp-topology.ts";

interface Declared {
  readonly session: AmqpSession;
  readonly at: number;
  readonly done: Promise<string>;
}

/** The buckets this transport has used, and when each was last declared. */
export class DelayQueues {
  private readonly topology: QueueTopology;
  private readonly declared = new Map<number, Declared>();
  private readonly used = new Set<number>();

  constructor(topology: QueueTopology) {
    this.topology = topology;
  }

  /** The name of the bucket's queue, declared on `session` first when needed. */
  ensure(session: AmqpSession, bucketMs: number): Promise<string> {
    const previous = this.declared.get(bucketMs);
    if (previous && previous.session === session && Date.now() - previous.at < DELAY_QUEUE_IDLE_MS) {
      return previous.done;
    }
    const declaration = this.topology.delayQueue(bucketMs);
    const done = declareQueue(session.admin, declaration).then(() => {
      this.used.add(bucketMs);
      return declaration.name;
    });
    this.declared.set(bucketMs, { session, at: Date.now(), done });
    done.catch(() => {
      if (this.declared.get(bucketMs)?.done === done) this.declared.delete(bucketMs);
    });
    return done;
  }

  /** Forgets a declaration (its queue was found missing), so the next publish declares it again. */
  forget(bucketMs: number): void {
    this.declared.delete(bucketMs);
  }

  /** Messages waiting in every bucket this transport used; a bucket that cannot be checked counts 0. */
  async count(session: AmqpSession): Promise<number> {
    return this.sum(session, async (channel, name) => (await channel.checkQueue(name)).messageCount);
  }

  /** Empties every bucket this transport used; returns how many messages were removed. */
  async purge(session: AmqpSession): Promise<number> {
    return this.sum(session, async (channel, name) => (await channel.purgeQueue(name)).messageCount);
  }

  /** Buckets declared by this transport so far, for depth, purge and clean-up. */
  buckets(): readonly number[] {
    return [...this.used].sort((a, b) => a - b);
  }

  private async sum(
    session: AmqpSession,
    operation: (channel: Channel, name: string) => Promise<number>,
  ): Promise<number> {
    const counts = await Promise.allSettled(
      this.buckets().map((bucket) => {
        const declaration = this.topology.delayQueue(bucket);
        // Declaring (idempotent) first: a bucket the broker expired is empty, and checking it must not fail.
        return declareQueue(session.admin, declaration).then(() =>
          session.admin.run((channel) => operation(channel, declaration.name)),
        );
      }),
    );
    return counts.reduce((total, result) => total + (result.status === "fulfilled" ? result.value : 0), 0);
  }
}
