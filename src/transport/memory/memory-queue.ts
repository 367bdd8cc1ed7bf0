/**
 * The state of one in-memory queue: messages with visibility times and leases, and its dead letters. Shared by
 * every memory transport of the same name in a process, so a producer and a consumer meet here.
 */
import { TransportError } from "../../errors.ts";
import { MetadataKey, type Envelope } from "../envelope.ts";
import type { OutgoingMessage, QueueStats } from "../transport.ts";

/** One stored message. `leaseId` is set while a consumer holds it. */
interface Entry {
  readonly envelope: Envelope;
  readonly enqueuedAt: number;
  availableAt: number;
  attempt: number;
  leaseId: number | undefined;
  /** Why the last attempt failed, when a consumer said so. */
  lastReason?: string | undefined;
}

/** How a consumer settles a leased message; see {@link MemoryQueue.settle}. */
export type Settlement =
  | { readonly kind: "ack" }
  | {
      readonly kind: "nack";
      readonly delayMs: number;
      readonly reason: string | undefined;
      readonly maxAttempts: number;
    }
  | { readonly kind: "release" }
  | { readonly kind: "dead"; readonly reason: string };

function attemptsReason(entry: Entry, maxAttempts: number): string {
  const last = entry.lastReason === undefined ? "" : `; last error: ${entry.lastReason}`;
  return `exceeded ${maxAttempts} attempts${last}`;
}

/** What a consumer gets from {@link MemoryQueue.take}. */
export interface Taken {
  readonly envelope: Envelope;
  readonly attempt: number;
  readonly leaseId: number;
}

/** A queue and its dead-letter queue, in memory. Not durable: it lives as long as the process. */
export class MemoryQueue {
  readonly name: string;
  private readonly entries: Entry[] = [];
  private readonly deadLetters: Entry[] = [];
  private readonly wakers = new Set<() => void>();
  private nextLeaseId = 1;

  constructor(name: string) {
    this.name = name;
  }

  /** Appends messages; wakes waiting consumers. */
  push(messages: readonly OutgoingMessage[], now: number): void {
    for (const message of messages) {
      const { id, metadata, payload } = message;
      const availableAt = now + (message.delayMs ?? 0);
      this.entries.push({
        envelope: { id, metadata, payload },
        enqueuedAt: now,
        availableAt,
        attempt: 0,
        leaseId: undefined,
      });
    }
    this.wake();
  }

  /**
   * Leases the first message that is visible at `now` (waiting, or whose lease ran out) for `leaseMs`, or
   * returns undefined. A message past `maxAttempts` is dead-lettered instead of delivered.
   */
  take(now: number, leaseMs: number, maxAttempts: number, fromDeadLetters = false): Taken | undefined {
    const source = fromDeadLetters ? this.deadLetters : this.entries;
    for (;;) {
      const entry = source.find((candidate) => candidate.availableAt <= now);
      if (!entry) return undefined;
      entry.attempt++;
      if (!fromDeadLetters && entry.attempt > maxAttempts) {
        this.moveToDeadLetters(entry, attemptsReason(entry, maxAttempts), now);
        continue;
      }
      entry.leaseId = this.nextLeaseId++;
      entry.availableAt = now + leaseMs;
      return { envelope: entry.envelope, attempt: entry.attempt, leaseId: entry.leaseId };
    }
  }

  /**
   * Settles a leased message: `ack` removes it; `nack` makes it visible after a delay, or dead-letters it when it
   * has had its `maxAttempts`; `release` makes it visible at once (a consumer shutting down); `dead` dead-letters.
   */
  settle(leaseId: number, action: Settlement, now: number): void {
    const fromQueue = this.entries.find((candidate) => candidate.leaseId === leaseId);
    const entry = fromQueue ?? this.deadLetters.find((candidate) => candidate.leaseId === leaseId);
    if (!entry) {
      throw new TransportError("TRANSPORT_LEASE_LOST", "the lease was lost: the message was delivered again", {
        queue: this.name,
      });
    }
    if (!fromQueue) {
      // A dead letter read back: ack and dead remove it, anything else puts it back.
      if (action.kind === "ack" || action.kind === "dead") this.deadLetters.splice(this.deadLetters.indexOf(entry), 1);
      else this.makeVisible(entry, now);
      return;
    }
    switch (action.kind) {
      case "ack":
        this.entries.splice(this.entries.indexOf(entry), 1);
        return;
      case "dead":
        this.moveToDeadLetters(entry, action.reason, now);
        return;
      case "nack":
        entry.lastReason = action.reason;
        if (entry.attempt >= action.maxAttempts)
          this.moveToDeadLetters(entry, attemptsReason(entry, action.maxAttempts), now);
        else this.makeVisible(entry, now + action.delayMs);
        return;
      case "release":
        this.makeVisible(entry, now);
        return;
    }
  }

  /** Moves a leased message's visibility to `now + ms`; throws when the lease was lost. */
  extend(leaseId: number, now: number, ms: number): void {
    const entry = [...this.entries, ...this.deadLetters].find((candidate) => candidate.leaseId === leaseId);
    if (!entry) throw new TransportError("TRANSPORT_LEASE_LOST", "the lease was lost", { queue: this.name });
    entry.availableAt = now + ms;
  }

  /** When the next message becomes visible (a delay ends or a lease runs out), or undefined if none waits. */
  nextVisibleAt(fromDeadLetters = false): number | undefined {
    let next: number | undefined;
    for (const entry of fromDeadLetters ? this.deadLetters : this.entries) {
      if (next === undefined || entry.availableAt < next) next = entry.availableAt;
    }
    return next;
  }

  /** Calls `waker` on the next push or release; returns a function that cancels it. */
  onWork(waker: () => void): () => void {
    this.wakers.add(waker);
    return () => this.wakers.delete(waker);
  }

  stats(now: number): QueueStats {
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    let oldest: number | undefined;
    for (const entry of this.entries) {
      if (entry.leaseId !== undefined && entry.availableAt > now) inFlight++;
      else if (entry.availableAt > now) delayed++;
      else visible++;
      if (entry.leaseId === undefined && entry.availableAt <= now) oldest = Math.min(oldest ?? now, entry.enqueuedAt);
    }
    const oldestAgeMs = oldest === undefined ? undefined : now - oldest;
    return { visible, inFlight, delayed, oldestAgeMs, deadLettered: this.deadLetters.length };
  }

  /** Moves every dead letter back to the queue, reason removed and attempts reset; returns how many. */
  redrive(now: number): number {
    const moved = this.deadLetters.filter((entry) => entry.leaseId === undefined || entry.availableAt <= now);
    for (const entry of moved) {
      this.deadLetters.splice(this.deadLetters.indexOf(entry), 1);
      const { [MetadataKey.deadLetterReason]: _reason, ...metadata } = entry.envelope.metadata;
      this.entries.push({
        ...entry,
        envelope: { ...entry.envelope, metadata },
        availableAt: now,
        attempt: 0,
        leaseId: undefined,
      });
    }
    if (moved.length > 0) this.wake();
    return moved.length;
  }

  /** Drops every message that is not leased; returns how many. */
  purge(now: number): number {
    const kept = this.entries.filter((entry) => entry.leaseId !== undefined && entry.availableAt > now);
    const removed = this.entries.length - kept.length;
    this.entries.splice(0, this.entries.length, ...kept);
    return removed;
  }

  private moveToDeadLetters(entry: Entry, reason: string, now: number): void {
    this.entries.splice(this.entries.indexOf(entry), 1);
    const metadata = { ...entry.envelope.metadata, [MetadataKey.deadLetterReason]: reason };
    this.deadLetters.push({
      envelope: { ...entry.envelope, metadata },
      enqueuedAt: now,
      availableAt: now,
      attempt: 0,
      leaseId: undefined,
    });
  }

  private makeVisible(entry: Entry, at: number): void {
    entry.leaseId = undefined;
    entry.availableAt = at;
    this.wake();
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }
}
