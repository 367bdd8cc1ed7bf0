/**
 * Where an HTTP receiver keeps the jobs it accepted until a consumer settles them: a bounded in-memory queue with
 * leases, attempts and a bounded dead-letter list. There is no broker behind it, so nothing here survives the
 * process; the bounds keep a receiver that is flooded, or whose dead letters nobody reads, from growing without end.
 */
import { TransportError } from "../../errors.ts";
import { MetadataKey, type Envelope } from "../envelope.ts";
import type { QueueStats } from "../transport.ts";

/** One held job. `leaseId` is set while a consumer holds it. */
interface Entry {
  readonly seq: number;
  readonly envelope: Envelope;
  readonly enqueuedAt: number;
  availableAt: number;
  attempt: number;
  leaseId: number | undefined;
  /** Why the last attempt failed, when a consumer said so. */
  lastReason: string | undefined;
  dead: boolean;
}

/** How a consumer settles a leased job. */
export type BufferSettlement =
  | { readonly kind: "ack" }
  | {
      readonly kind: "nack";
      readonly delayMs: number;
      readonly reason: string | undefined;
      readonly maxAttempts: number;
    }
  | { readonly kind: "release" }
  | { readonly kind: "dead"; readonly reason: string };

/** What a consumer gets from {@link ReceiveBuffer.take}. */
export interface TakenJob {
  readonly envelope: Envelope;
  readonly attempt: number;
  readonly leaseId: number;
}

/** The bounds of a {@link ReceiveBuffer}. */
export interface ReceiveBufferLimits {
  /** Most jobs held at once (waiting, delayed or in flight), dead letters apart. */
  readonly maxPending: number;
  /** Most payload bytes held at once, dead letters apart. */
  readonly maxPendingBytes: number;
  /** Most dead letters kept; past it the oldest is dropped (and reported). */
  readonly maxDeadLetters: number;
  /** Told about each dead letter dropped to keep within `maxDeadLetters`. */
  readonly onDeadLetterDropped: (envelope: Envelope) => void;
}

/** A bounded in-memory queue and its dead letters. Take order: the order jobs became visible. */
export class ReceiveBuffer {
  private readonly limits: ReceiveBufferLimits;
  /** Insertion order is take order: a job made visible again moves to the end. */
  private readonly queue = new Map<number, Entry>();
  private readonly deadLetters = new Map<number, Entry>();
  private readonly leases = new Map<number, Entry>();
  private readonly wakers = new Set<() => void>();
  private pendingBytes = 0;
  private nextSeq = 1;
  private nextLeaseId = 1;

  constructor(limits: ReceiveBufferLimits) {
    this.limits = limits;
  }

  /** Whether nothing is held, dead letters included. */
  get isEmpty(): boolean {
    return this.queue.size === 0 && this.deadLetters.size === 0;
  }

  /** Whether one more job of `payloadBytes` fits (pass 0 to ask before the size is known). */
  hasRoom(payloadBytes: number): boolean {
    return this.queue.size < this.limits.maxPending && this.pendingBytes + payloadBytes <= this.limits.maxPendingBytes;
  }

  /** Holds a job, visible after `delayMs`; wakes waiting consumers. The caller checked {@link hasRoom}. */
  push(envelope: Envelope, now: number, delayMs = 0): void {
    const seq = this.nextSeq++;
    this.queue.set(seq, {
      seq,
      envelope,
      enqueuedAt: now,
      availableAt: now + delayMs,
      attempt: 0,
      leaseId: undefined,
      lastReason: undefined,
      dead: false,
    });
    this.pendingBytes += envelope.payload.length;
    this.wake();
  }

  /**
   * Leases the first job visible at `now` (waiting, or whose lease ran out) for `leaseMs`, or returns undefined.
   * A job past `maxAttempts` (its leases kept running out) is dead-lettered instead of delivered.
   */
  take(now: number, leaseMs: number, maxAttempts: number, fromDeadLetters: boolean): TakenJob | undefined {
    const source = fromDeadLetters ? this.deadLetters : this.queue;
    for (const entry of source.values()) {
      if (entry.availableAt > now) continue;
      entry.attempt++;
      if (!fromDeadLetters && entry.attempt > maxAttempts) {
        this.moveToDeadLetters(entry, attemptsReason(entry, maxAttempts), now);
        continue;
      }
      if (entry.leaseId !== undefined) this.leases.delete(entry.leaseId);
      entry.leaseId = this.nextLeaseId++;
      entry.availableAt = now + leaseMs;
      this.leases.set(entry.leaseId, entry);
      return { envelope: entry.envelope, attempt: entry.attempt, leaseId: entry.leaseId };
    }
    return undefined;
  }

  /**
   * Settles a leased job: `ack` removes it; `nack` makes it visible after a delay, or dead-letters it on its last
   * attempt; `release` makes it visible at once; `dead` dead-letters it. A dead letter read back is removed by
   * `ack` and `dead` and put back by the others. Throws `TRANSPORT_LEASE_LOST` when another lease owns it now.
   */
  settle(leaseId: number, action: BufferSettlement, now: number): void {
    const entry = this.leased(leaseId);
    this.leases.delete(leaseId);
    entry.leaseId = undefined;
    if (entry.dead) {
      if (action.kind === "ack" || action.kind === "dead") this.deadLetters.delete(entry.seq);
      else this.makeVisible(entry, now);
      return;
    }
    switch (action.kind) {
      case "ack":
        this.remove(entry);
        return;
      case "dead":
        this.moveToDeadLetters(entry, action.reason, now);
        return;
      case "nack":
        entry.lastReason = action.reason;
        if (entry.attempt >= action.maxAttempts) {
          this.moveToDeadLetters(entry, attemptsReason(entry, action.maxAttempts), now);
        } else this.makeVisible(entry, now + Math.max(0, action.delayMs));
        return;
      case "release":
        this.makeVisible(entry, now);
        return;
    }
  }

  /** Moves a leased job's lease end to `now + ms`; throws `TRANSPORT_LEASE_LOST` when the lease was lost. */
  extend(leaseId: number, now: number, ms: number): void {
    this.leased(leaseId).availableAt = now + Math.max(0, ms);
  }

  /** When the next job becomes visible (a delay ends or a lease runs out), or undefined if none waits. */
  nextVisibleAt(fromDeadLetters: boolean): number | undefined {
    let next: number | undefined;
    for (const entry of (fromDeadLetters ? this.deadLetters : this.queue).values()) {
      if (next === undefined || entry.availableAt < next) next = entry.availableAt;
    }
    return next;
  }

  /** Calls `waker` on the next push or job made visible; returns a function that cancels it. */
  onWork(waker: () => void): () => void {
    this.wakers.add(waker);
    return () => this.wakers.delete(waker);
  }

  /** Depth of the queue and of the dead letters. */
  stats(now: number): QueueStats {
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    let oldest: number | undefined;
    for (const entry of this.queue.values()) {
      if (entry.availableAt > now) {
        if (entry.leaseId === undefined) delayed++;
        else inFlight++;
        continue;
      }
      visible++;
      oldest = Math.min(oldest ?? entry.enqueuedAt, entry.enqueuedAt);
    }
    const oldestAgeMs = oldest === undefined ? undefined : now - oldest;
    return { visible, inFlight, delayed, oldestAgeMs, deadLettered: this.deadLetters.size };
  }

  /** Drops every job that is not in flight (dead letters apart); returns how many. */
  purge(now: number): number {
    let removed = 0;
    for (const entry of [...this.queue.values()]) {
      if (entry.leaseId !== undefined && entry.availableAt > now) continue;
      this.remove(entry);
      removed++;
    }
    return removed;
  }

  /** Moves every dead letter not in flight back to the queue, reason removed and attempts reset; returns how many. */
  redrive(now: number): number {
    const moved = [...this.deadLetters.values()].filter((entry) => entry.leaseId === undefined);
    for (const entry of moved) {
      this.deadLetters.delete(entry.seq);
      const { [MetadataKey.deadLetterReason]: _reason, ...metadata } = entry.envelope.metadata;
      this.push({ ...entry.envelope, metadata }, now);
    }
    return moved.length;
  }

  private leased(leaseId: number): Entry {
    const entry = this.leases.get(leaseId);
    if (entry?.leaseId !== leaseId) {
      throw new TransportError("TRANSPORT_LEASE_LOST", "the lease was lost: the job was delivered again", {
        messageIds: entry ? [entry.envelope.id] : [],
      });
    }
    return entry;
  }

  private remove(entry: Entry): void {
    if (entry.leaseId !== undefined) this.leases.delete(entry.leaseId);
    if (this.queue.delete(entry.seq)) this.pendingBytes -= entry.envelope.payload.length;
  }

  private moveToDeadLetters(entry: Entry, reason: string, now: number): void {
    this.remove(entry);
    const metadata = { ...entry.envelope.metadata, [MetadataKey.deadLetterReason]: reason };
    const seq = this.nextSeq++;
    this.deadLetters.set(seq, {
      seq,
      envelope: { ...entry.envelope, metadata },
      enqueuedAt: now,
      availableAt: now,
      attempt: 0,
      leaseId: undefined,
      lastReason: undefined,
      dead: true,
    });
    for (const oldest of this.deadLetters.values()) {
      if (this.deadLetters.size <= this.limits.maxDeadLetters) break;
      if (oldest.leaseId !== undefined) continue;
      this.deadLetters.delete(oldest.seq);
      this.limits.onDeadLetterDropped(oldest.envelope);
    }
  }

  private makeVisible(entry: Entry, at: number): void {
    const source = entry.dead ? this.deadLetters : this.queue;
    entry.availableAt = at;
    // Queue behind the jobs already waiting.
    source.delete(entry.seq);
    source.set(entry.seq, entry);
    this.wake();
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }
}

function attemptsReason(entry: Entry, maxAttempts: number): string {
  const last = entry.lastReason === undefined ? "" : `; last error: ${entry.lastReason}`;
  return `exceeded ${maxAttempts} attempts${last}`;
}
