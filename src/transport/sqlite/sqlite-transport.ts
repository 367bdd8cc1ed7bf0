/**
 * The SQLite transport, the embedded default (`sqlite:<path>?queue=<queue>`): a durable queue in one file that
 * several transports and processes of one machine share. `send` resolves after the commit; consumers of this
 * process wake at once on new work, those of other processes poll. The file layout is in docs/transports-sqlite.md.
 */
import type { DatabaseSync } from "node:sqlite";
import { setImmediate } from "node:timers/promises";
import { TransportError } from "../../errors.ts";
import { attachWalCheckpoints, type WalCheckpoints } from "../../sqlite/wal-checkpoints.ts";
import { InFlightDeliveries } from "../in-flight.ts";
import type { CloseOptions, Delivery, OutgoingMessage, QueueStats, ReceiveOptions, Transport } from "../transport.ts";
import type { QueueAdmin, TransportCapabilities } from "../transport.ts";
import { waitForWork } from "../wait-for-work.ts";
import { toSqliteTransportError } from "./sqlite-errors.ts";
import { notifySqliteWork, onSqliteWork, sqliteWorkKey } from "./sqlite-notifier.ts";
import { resolveSqliteOptions, type ResolvedSqliteOptions, type SqliteTransportOptions } from "./sqlite-options.ts";
import { SqliteQueueStore, type Settlement, type TakenMessage } from "./sqlite-queue-store.ts";
import { invalidMessageProblem } from "./sqlite-row.ts";
import { PrefetchBuffer } from "./sqlite-prefetch.ts";
import { WriteBatch } from "./sqlite-write-batch.ts";
import { openQueueDatabase } from "./sqlite-schema.ts";
import { oversizedPayloads } from "../payload-limit.ts";

export type { SqliteTransportOptions } from "./sqlite-options.ts";

/** Longest delay, about 100 years: far enough for any job, small enough for exact integers in the file. */
const MAX_DELAY_MS = 100 * 365 * 24 * 60 * 60 * 1000;
/** Writes (sends and settlements) per transaction at most: a write lock held for a few milliseconds at worst. */
const MAX_WRITE_BATCH = 256;

/** A queue in a SQLite file, shared by every transport and process that opens the file with the same queue name. */
export class SqliteTransport implements Transport {
  readonly kind = "sqlite";
  readonly queue: string;
  readonly capabilities: TransportCapabilities;
  /**
   * Opening the transport already created the file and its tables (dead letters are rows of the same table), so
   * `create` only checks that the transport is open and the file readable.
   */
  readonly admin: QueueAdmin = {
    create: async () => {
      await this.stats();
    },
    redrive: () => this.redrive(),
  };
  private readonly options: ResolvedSqliteOptions;
  private readonly database: DatabaseSync;
  private readonly store: SqliteQueueStore;
  /** Sends and settlements of one event-loop turn, committed together. */
  private readonly writes: WriteBatch;
  private readonly checkpoints: WalCheckpoints;
  /** Where consumers of this process meet to be woken. */
  private readonly workKey: string;
  private readonly inFlight = new InFlightDeliveries();
  /** What receive iterations took and did not hand out yet: given back on close if an iteration never resumes. */
  private readonly prefetchBuffers = new Set<PrefetchBuffer>();
  private readonly stopping = new AbortController();
  private closing: Promise<void> | undefined;

  /** Opens (creating when missing) the file; throws ConfigError for bad options, TransportError for a bad file. */
  constructor(options: SqliteTransportOptions) {
    this.options = resolveSqliteOptions(options);
    const { path, queue, busyTimeoutMs, synchronous, maxPayloadBytes, checkpoints, logger } = this.options;
    this.queue = queue;
    this.capabilities = {
      ordering: "fifo",
      maxDelayMs: MAX_DELAY_MS,
      leaseExtension: true,
      depth: true,
      oldestAge: true,
      deadLetter: true,
      maxPayloadBytes,
      durable: true,
      peek: false,
      priority: false,
    };
    this.database = openQueueDatabase({ path, queue, busyTimeoutMs, synchronous });
    try {
      this.store = new SqliteQueueStore(this.database, queue);
    } catch (error) {
      this.database.close();
      throw toSqliteTransportError(error, `cannot prepare the queue statements of ${path}`, queue);
    }
    this.checkpoints = attachWalCheckpoints(this.database, path, { mode: checkpoints, logger });
    this.writes = new WriteBatch(this.database, MAX_WRITE_BATCH, this.checkpoints.committed);
    this.workKey = sqliteWorkKey(path, queue);
  }

  send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    const oversized = oversizedPayloads(messages, this.capabilities.maxPayloadBytes, this.queue);
    if (oversized) return Promise.reject(oversized);
    const problems = messages.flatMap((message) => {
      const problem = invalidMessageProblem(message, MAX_DELAY_MS);
      return problem === undefined ? [] : [{ id: message.id, problem }];
    });
    if (problems.length > 0) {
      const detail = problems.map(({ id, problem }) => `${String(id)}: ${problem}`).join("; ");
      return Promise.reject(
        new TransportError("TRANSPORT_INVALID_MESSAGE", `nothing was sent: ${detail}`, {
          queue: this.queue,
          messageIds: problems.map(({ id }) => id),
        }),
      );
    }
    if (messages.length === 0) return Promise.resolve();
    // Committed with the other writes of this event-loop turn; resolved once committed.
    return this.writes
      .write(() => this.store.insert(messages, this.options.now()))
      .then(
        () => notifySqliteWork(this.workKey),
        (error: unknown) => {
          const ids = messages.map((message) => message.id);
          throw toSqliteTransportError(error, "send failed, nothing was sent", this.queue, ids);
        },
      );
  }

  async *receive(options: ReceiveOptions = {}): AsyncGenerator<Delivery> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.stopping.signal]) : this.stopping.signal;
    const leaseMs = options.leaseMs ?? this.options.leaseMs;
    const fromDeadLetters = options.deadLetters ?? false;
    const maxInFlight = options.maxInFlight ?? 10;
    // Taken in one transaction, handed out one by one; they count towards maxInFlight while they wait here.
    const prefetched = new PrefetchBuffer((messages) => this.giveBack(messages), leaseMs / 2);
    this.prefetchBuffers.add(prefetched);
    let handedOut = 0;
    try {
      while (!signal.aborted) {
        await this.inFlight.belowLimit(maxInFlight, signal);
        if (signal.aborted) return;
        const next = prefetched.next();
        if (next) {
          const delivery = this.handOut(next, leaseMs);
          if (delivery) yield delivery;
          // Let timers and I/O run between deliveries: a consumer that nacks every message at once (each one
          // visible again at once) must not starve the event loop.
          if (++handedOut % 32 === 0) await setImmediate();
          continue;
        }
        const taken = await this.takeOrNextVisibleAt(leaseMs, fromDeadLetters, maxInFlight - this.inFlight.size);
        if (Array.isArray(taken)) {
          prefetched.fill(taken);
          continue;
        }
        await waitForWork({
          until: taken,
          maxWaitMs: this.options.pollIntervalMs,
          signal,
          subscribe: (wake) => onSqliteWork(this.workKey, wake),
          now: this.options.now,
        });
      }
    } finally {
      prefetched.clear();
      this.prefetchBuffers.delete(prefetched);
    }
  }

  stats(): Promise<QueueStats> {
    if (this.closing) return Promise.reject(this.closedError());
    return this.run("stats failed", () => this.store.stats(this.options.now()));
  }

  purge(): Promise<number> {
    if (this.closing) return Promise.reject(this.closedError());
    return this.run("purge failed", () => this.store.purge(this.options.now()));
  }

  /** Moves every dead letter back to the queue with its attempts reset; returns how many. */
  redrive(): Promise<number> {
    if (this.closing) return Promise.reject(this.closedError());
    return this.run("redrive failed", () => {
      const moved = this.store.redrive(this.options.now());
      if (moved > 0) notifySqliteWork(this.workKey);
      return moved;
    });
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= (async () => {
      this.stopping.abort();
      await this.inFlight.drain(options.drainTimeoutMs ?? 30_000);
      for (const buffer of this.prefetchBuffers) buffer.clear();
      if (this.database.isOpen) {
        this.writes.flush();
        this.checkpoints.detach();
        this.database.close();
      }
    })();
    return this.closing;
  }

  /**
   * Takes up to `limit` messages when some are visible, else tells when the next one becomes visible (undefined:
   * none waits). It looks before it takes, so idle consumers only read and never queue for the write lock; the take
   * itself joins the write batch of this turn (the acks and sends of the same turn commit with it, one transaction
   * instead of two). A lock timeout counts as "nothing yet" (the consumer waits a poll interval and tries again);
   * other failures end the receive.
   */
  private async takeOrNextVisibleAt(
    leaseMs: number,
    fromDeadLetters: boolean,
    limit: number,
  ): Promise<TakenMessage[] | number | undefined> {
    try {
      const next = this.store.nextVisibleAt(fromDeadLetters);
      if (next === undefined || next > this.options.now()) return next;
      const { maxAttempts, now } = this.options;
      const taken = await this.writes.write(() =>
        this.store.take(now(), leaseMs, maxAttempts, fromDeadLetters, Math.max(1, limit)),
      );
      return taken.length > 0 ? taken : this.store.nextVisibleAt(fromDeadLetters);
    } catch (error) {
      const wrapped = toSqliteTransportError(error, "receive failed", this.queue);
      if (wrapped.retryable) return undefined;
      throw wrapped;
    }
  }

  /**
   * Hands out a prefetched message with a fresh lease when it waited more than a tenth of one, so that every
   * delivery starts with (nearly) its whole lease. Undefined when another consumer holds it now.
   */
  private handOut(message: TakenMessage, leaseMs: number): Delivery | undefined {
    const now = this.options.now();
    if (now - message.takenAt > leaseMs / 10) {
      try {
        if (!this.store.extend(message.lease, now + leaseMs)) return undefined;
      } catch {
        // Hand it out with the lease it has.
      }
    }
    return this.deliver(message);
  }

  /** Gives back taken messages that were never handed out; failures leave them to their lease's end. */
  private giveBack(messages: readonly TakenMessage[]): void {
    if (!this.database.isOpen) return;
    const now = this.options.now();
    for (const message of messages) {
      try {
        this.store.giveBack(message.lease, now);
      } catch {
        // The lease runs out on its own and the message is delivered again.
      }
    }
    notifySqliteWork(this.workKey);
  }

  private deliver({ envelope, lease }: TakenMessage): Delivery {
    const ids = [envelope.id];
    const owned = (changed: boolean): void => {
      if (!changed) {
        throw new TransportError("TRANSPORT_LEASE_LOST", "the lease was lost: the message was delivered again", {
          queue: this.queue,
          messageIds: ids,
        });
      }
    };
    // Settled with the other writes of this event-loop turn; resolved once committed.
    const settle = (action: Settlement): Promise<void> =>
      this.writes
        .write(() => this.store.settle(lease, action, this.options.maxAttempts, this.options.now()))
        .then(
          (changed) => {
            owned(changed);
            if (action.kind !== "ack") notifySqliteWork(this.workKey);
          },
          (error: unknown) => {
            throw toSqliteTransportError(error, `${action.kind} failed`, this.queue, ids);
          },
        );
    return this.inFlight.track(envelope, lease.attempt, this.queue, {
      ack: () => settle({ kind: "ack" }),
      nack: (delayMs, reason) => settle({ kind: "nack", delayMs: clampDelay(delayMs), reason }),
      deadLetter: (reason) => settle({ kind: "dead", reason }),
      extendLease: (ms) =>
        this.run("extendLease failed", () => owned(this.store.extend(lease, this.options.now() + clampDelay(ms))), ids),
      release: () => settle({ kind: "release" }),
    });
  }

  /** Runs synchronous database work as a promise, translating what it throws. */
  private run<T>(doing: string, work: () => T, messageIds: readonly string[] = []): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(toSqliteTransportError(error, doing, this.queue, messageIds));
    }
  }

  private closedError(): TransportError {
    return new TransportError("TRANSPORT_CLOSED", "the transport is closed", { queue: this.queue });
  }
}

function clampDelay(ms: number): number {
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_DELAY_MS) : 0;
}
