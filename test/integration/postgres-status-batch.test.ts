/**
 * Batched transitions of the PostgreSQL status store give the outcomes single moves would: a burst of random moves
 * (repeated ids, creates, every target state, stale attempts) sent at once through a one-connection pool, so that
 * they travel in batches, ends exactly as the memory store applying the same moves one by one.
 */
import { afterAll, expect, it } from "vitest";
import { MemoryStatusStore, type JobTransition, type TransitionOutcome } from "thrift-queue";
import { PostgresStatusStore } from "../../src/status/postgres/postgres-status-store.ts";
import { postgresUnavailable, withPostgres } from "./postgres-server.ts";

const unavailable = await postgresUnavailable();

/** A small deterministic generator, so a failure replays. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Targets, weighted towards the states a job leaves again, so that ids live long enough to meet duplicates. */
const TARGETS: readonly JobTransition["to"][] = [
  ...Array<JobTransition["to"]>(4).fill("running"),
  ...Array<JobTransition["to"]>(3).fill("retrying"),
  "succeeded",
  "failed",
  "dead",
  "cancelled",
];

function randomMoves(seed: number, count: number, ids: readonly string[]): JobTransition[] {
  const random = generator(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return Array.from({ length: count }, (_, index) => ({
    id: pick(ids),
    to: pick(TARGETS),
    attempt: Math.floor(random() * 3),
    at: 1000 + index,
    ...(random() < 0.7 ? { workerId: `w${Math.floor(random() * 3)}` } : {}),
    ...(random() < 0.4 ? { create: { service: "S", method: "m", ...(random() < 0.5 ? { queue: "q" } : {}) } } : {}),
    ...(random() < 0.3 ? { error: { type: "E", message: `e${index}` } } : {}),
    ...(random() < 0.3 ? { result: new Uint8Array([index % 256, 1]) } : {}),
  }));
}

withPostgres("PostgreSQL status store batched transitions", unavailable, (schemas) => {
  const opened: PostgresStatusStore[] = [];
  afterAll(() => Promise.all(opened.map((store) => store.close())));

  for (const seed of [1, 2, 3]) {
    it(`matches one-by-one moves of the memory store (seed ${seed})`, async () => {
      const store = await PostgresStatusStore.open(schemas.url({ poolSize: "1" }));
      opened.push(store);
      const reference = new MemoryStatusStore();
      const ids = Array.from({ length: 40 }, (_, index) => `job-${index}`);
      const queued = ids.slice(0, 20).map((id) => ({ id, service: "S", method: "m", enqueuedAt: 500 }));
      await store.enqueued(queued);
      await reference.enqueued(queued);
      const moves = randomMoves(seed, 600, ids);

      const batched = await Promise.all(moves.map((move) => store.transition(move)));
      const oneByOne: TransitionOutcome[] = [];
      for (const move of moves) oneByOne.push(await reference.transition(move));

      expect(batched.filter((outcome) => outcome.applied).length).toBeGreaterThan(10);
      for (const [index, outcome] of batched.entries()) {
        expect({ index, ...outcome }).toEqual({ index, ...oneByOne[index] });
      }
      for (const id of ids) expect(await store.get(id)).toEqual(await reference.get(id));
    });
  }
});
