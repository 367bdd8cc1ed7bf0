/**
 * The SQL of one queue in a SQLite file. Every operation is one statement, or one `BEGIN IMMEDIATE` transaction
 * that never spans an `await`, so the write lock is held for a few statements at a time and any number of
 * connections and processes can share the file. A taken message carries a random lease token; settling matches
 * it, so a consumer whose lease was lost (and the message taken again) changes nothing.
 */
import { randomUUID } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import type { Envelope } from "../envelope.ts";
import type { OutgoingMessage, QueueStats } from "../transport.ts";
import { MESSAGES_TABLE } from "./sqlite-schema.ts";
import { PositionalStatement } from "../../sqlite/positional-statement.ts";
import { decodeDeadLetterRow, decodeRow, encodeMetadata, integerColumn, textColumn, type Row } from "./sqlite-row.ts";

/** Identifies one delivery of a message: its row and the token of the lease. */
export interface Lease {
  readonly seq: number;
  readonly token: string;
  /** The delivery's attempt, as counted when it was taken. */
  readonly attempt: number;
  /** Whether the message was read from the dead letters. */
  readonly fromDeadLetters: boolean;
}

/** What {@link SqliteQueueStore.take} hands out. */
export interface TakenMessage {
  readonly envelope: Envelope;
  readonly lease: Lease;
  /** When the lease began (ms since the epoch). */
  readonly takenAt: number;
}

/** How a consumer settles a leased message (the same choices as the memory queue's). */
export type Settlement =
  | { readonly kind: "ack" }
  | { readonly kind: "nack"; readonly delayMs: number; readonly reason: string | undefined }
  | { readonly kind: "release" }
  | { readonly kind: "dead"; readonly reason: string };

const T = MESSAGES_TABLE;
const OWNED = "seq = :seq AND lease_token = :token";
const NOT_LEASED = "(lease_token IS NULL OR available_at <= :now)";

const SQL = {
  insert: `INSERT INTO ${T} (queue, id, metadata, payload, enqueued_at, available_at)
    VALUES (:queue, :id, :metadata, :payload, :now, :availableAt)`,
  // Run together in one BEGIN IMMEDIATE transaction: the write lock is held from the choice of the rows to their
  // update, so two connections never take the same message, and both statements pick the same rows (the oldest
  // visible first, ties in the order sent). The UPDATE leases them all at once; `candidates` tells their order,
  // which RETURNING does not keep.
  candidates: `SELECT seq FROM ${T} WHERE queue = :queue AND dead = :dead AND available_at <= :now
    ORDER BY available_at, seq LIMIT :limit`,
  lease: `UPDATE ${T} SET attempt = attempt + 1, lease_token = :token, available_at = :leaseUntil
    WHERE seq IN (SELECT seq FROM ${T} WHERE queue = :queue AND dead = :dead AND available_at <= :now
      ORDER BY available_at, seq LIMIT :limit)
    RETURNING seq, id, metadata, payload, attempt, last_reason, dead_reason`,
  nextVisibleAt: `SELECT MIN(available_at) AS at FROM ${T} WHERE queue = :queue AND dead = :dead`,
  remove: `DELETE FROM ${T} WHERE ${OWNED}`,
  makeVisible: `UPDATE ${T} SET lease_token = NULL, available_at = :at, last_reason = :reason WHERE ${OWNED}`,
  release: `UPDATE ${T} SET lease_token = NULL, available_at = :now WHERE ${OWNED}`,
  // A message taken but never handed out did not get an attempt.
  giveBack: `UPDATE ${T} SET lease_token = NULL, available_at = :now, attempt = MAX(attempt - 1, 0) WHERE ${OWNED}`,
  extend: `UPDATE ${T} SET available_at = :at WHERE ${OWNED}`,
  toDeadLetters: `UPDATE ${T} SET dead = 1, dead_reason = :reason, attempt = 0, lease_token = NULL,
    enqueued_at = :now, available_at = :now WHERE ${OWNED} AND dead = 0`,
  stats: `SELECT
      COALESCE(SUM(dead = 0 AND available_at <= :now), 0) AS visible,
      COALESCE(SUM(dead = 0 AND available_at > :now AND lease_token IS NOT NULL), 0) AS in_flight,
      COALESCE(SUM(dead = 0 AND available_at > :now AND lease_token IS NULL), 0) AS delayed,
      MIN(CASE WHEN dead = 0 AND available_at <= :now THEN enqueued_at END) AS oldest,
      COALESCE(SUM(dead = 1), 0) AS dead_lettered
    FROM ${T} WHERE queue = :queue`,
  purge: `DELETE FROM ${T} WHERE queue = :queue AND dead = 0 AND ${NOT_LEASED}`,
  // Redriven messages get new rows, so they queue behind the messages already waiting.
  redriveCopy: `INSERT INTO ${T} (queue, id, metadata, payload, enqueued_at, available_at)
    SELECT queue, id, metadata, payload, enqueued_at, :now FROM ${T}
    WHERE queue = :queue AND dead = 1 AND ${NOT_LEASED} ORDER BY seq`,
  redriveDelete: `DELETE FROM ${T} WHERE queue = :queue AND dead = 1 AND ${NOT_LEASED}`,
} as const;

function attemptsReason(maxAttempts: number, lastReason: string | undefined): string {
  return `exceeded ${maxAttempts} attempts${lastReason === undefined ? "" : `; last error: ${lastReason}`}`;
}

/** `rows` in the order their `seq` has in `order` (rows are few: a take's worth). */
function inOrderOf(order: readonly Row[], rows: readonly Row[]): readonly Row[] {
  if (rows.length < 2) return rows;
  const rank = new Map<unknown, number>();
  order.forEach((row, index) => rank.set(row["seq"], index));
  return [...rows].sort((a, b) => (rank.get(a["seq"]) ?? 0) - (rank.get(b["seq"]) ?? 0));
}

/** One queue in a SQLite file. Methods throw what `node:sqlite` throws; the transport translates it. */
export class SqliteQueueStore {
  private readonly database: DatabaseSync;
  private readonly queue: string;
  private readonly statements: Record<keyof typeof SQL, PositionalStatement>;

  constructor(database: DatabaseSync, queue: string) {
    this.database = database;
    this.queue = queue;
    const entries = Object.entries(SQL).map(([name, sql]) => [name, new PositionalStatement(database, sql)] as const);
    this.statements = Object.fromEntries(entries) as Record<keyof typeof SQL, PositionalStatement>;
  }

  /** Appends messages in one transaction: all of them are committed (or the caller's transaction holds them), or none. */
  insert(messages: readonly OutgoingMessage[], now: number): void {
    this.transaction(() => {
      for (const message of messages) {
        this.statements.insert.run({
          queue: this.queue,
          id: message.id,
          metadata: encodeMetadata(message.metadata),
          payload: message.payload,
          now,
          availableAt: now + Math.max(0, message.delayMs ?? 0),
        });
      }
    });
  }

  /**
   * Leases up to `limit` of the oldest messages visible at `now` for `leaseMs`, in one transaction. A message past
   * `maxAttempts`, or a row that is not a valid envelope, is dead-lettered instead of delivered (so fewer than
   * `limit` may come back while more are visible).
   */
  take(now: number, leaseMs: number, maxAttempts: number, fromDeadLetters: boolean, limit: number): TakenMessage[] {
    const dead = fromDeadLetters ? 1 : 0;
    // One token per take: a lease is the pair (seq, token), and a later take of the same row gets a new token.
    const token = randomUUID();
    return this.transaction(() => {
      const picked = { queue: this.queue, dead, now, limit };
      const order = this.statements.candidates.all(picked);
      if (order.length === 0) return [];
      const rows = this.statements.lease.all({ ...picked, token, leaseUntil: now + leaseMs });
      const taken: TakenMessage[] = [];
      for (const row of inOrderOf(order, rows)) {
        const lease = {
          seq: integerColumn(row, "seq"),
          token,
          attempt: integerColumn(row, "attempt"),
          fromDeadLetters,
        };
        if (fromDeadLetters) {
          taken.push({ envelope: decodeDeadLetterRow(row), lease, takenAt: now });
        } else if (lease.attempt > maxAttempts) {
          this.moveToDeadLetters(lease, attemptsReason(maxAttempts, textColumn(row, "last_reason")), now);
        } else {
          const decoded = decodeRow(row);
          if ("envelope" in decoded) taken.push({ envelope: decoded.envelope, lease, takenAt: now });
          else this.moveToDeadLetters(lease, `TRANSPORT_INVALID_MESSAGE: ${decoded.problem}`, now);
        }
      }
      return taken;
    });
  }

  /**
   * Settles a leased message: `ack` removes it; `nack` makes it visible after a delay, or dead-letters it when it
   * has had its `maxAttempts`; `release` makes it visible at once; `dead` dead-letters it. A dead letter read back
   * is removed by `ack` and `dead`, and put back by the others. Returns false when the lease was lost.
   */
  settle(lease: Lease, action: Settlement, maxAttempts: number, now: number): boolean {
    const owned = { seq: lease.seq, token: lease.token };
    if (lease.fromDeadLetters && action.kind !== "release" && action.kind !== "nack") return this.remove(owned);
    switch (action.kind) {
      case "ack":
        return this.remove(owned);
      case "dead":
        return this.moveToDeadLetters(lease, action.reason, now);
      case "nack":
        if (!lease.fromDeadLetters && lease.attempt >= maxAttempts) {
          return this.moveToDeadLetters(lease, attemptsReason(maxAttempts, action.reason), now);
        }
        return this.changed(
          this.statements.makeVisible.run({ ...owned, at: now + action.delayMs, reason: action.reason ?? null }),
        );
      case "release":
        return this.changed(this.statements.release.run({ ...owned, now }));
    }
  }

  /** Returns a message that was taken but never handed out, undoing its attempt; false when the lease was lost. */
  giveBack(lease: Lease, now: number): boolean {
    return this.changed(this.statements.giveBack.run({ seq: lease.seq, token: lease.token, now }));
  }

  /** Moves a leased message's visibility to `until`; returns false when the lease was lost. */
  extend(lease: Lease, until: number): boolean {
    return this.changed(this.statements.extend.run({ seq: lease.seq, token: lease.token, at: until }));
  }

  /** When the next message becomes visible (now or later), or undefined when none waits. */
  nextVisibleAt(fromDeadLetters: boolean): number | undefined {
    const row = this.statements.nextVisibleAt.get({ queue: this.queue, dead: fromDeadLetters ? 1 : 0 });
    const at = row?.["at"];
    return typeof at === "number" ? at : undefined;
  }

  /** Depth of the queue and of its dead letters at `now`. */
  stats(now: number): QueueStats {
    const row: Row = this.statements.stats.get({ queue: this.queue, now }) ?? {};
    const oldest = row["oldest"];
    return {
      visible: integerColumn(row, "visible"),
      inFlight: integerColumn(row, "in_flight"),
      delayed: integerColumn(row, "delayed"),
      oldestAgeMs: typeof oldest === "number" ? Math.max(0, now - oldest) : undefined,
      deadLettered: integerColumn(row, "dead_lettered"),
    };
  }

  /** Deletes every message of the queue that is not leased (dead letters stay); returns how many. */
  purge(now: number): number {
    return this.statements.purge.run({ queue: this.queue, now });
  }

  /** Moves every dead letter that is not leased back to the queue, attempts reset; returns how many. */
  redrive(now: number): number {
    return this.transaction(() => {
      this.statements.redriveCopy.run({ queue: this.queue, now });
      return this.statements.redriveDelete.run({ queue: this.queue, now });
    });
  }

  private remove(owned: { seq: number; token: string }): boolean {
    return this.changed(this.statements.remove.run(owned));
  }

  private moveToDeadLetters(lease: Lease, reason: string, now: number): boolean {
    return this.changed(this.statements.toDeadLetters.run({ seq: lease.seq, token: lease.token, reason, now }));
  }

  private changed(changes: number): boolean {
    return changes === 1;
  }

  /** Runs `work` in a transaction of its own, or in the caller's when one is open (a batch of the transport's). */
  private transaction<T>(work: () => T): T {
    if (this.database.isTransaction) return work();
    this.database.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.database.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.database.isTransaction) this.database.exec("ROLLBACK");
      throw error;
    }
  }
}
