/**
 * The scaler event part of the status store conformance suite: fenced recording against the store's leases (a
 * deposed leader's late record is refused, atomically with the lease changing hands), listing newest first with
 * filters and `before` paging, the input limits, exact round trips of the policy memory, scrub and close.
 */
import { describe, expect, it } from "vitest";
import { StatusStoreError, type ScalerEvent, type StatusStore } from "thrift-queue";
import type { OpenedStore } from "./status-store-conformance.ts";

const T0 = 1_767_225_600_000;
const LEASE = "scaler:grep-workers";

/** An event by `scalerId` under `token`, with an id that sorts by `serial`. */
function event(serial: number, scalerId: string, token: number, extra: Partial<ScalerEvent> = {}): ScalerEvent {
  return {
    id: `ev-${String(serial).padStart(4, "0")}`,
    lease: LEASE,
    scalerId,
    fencingToken: token,
    kind: "decision",
    at: T0 + serial,
    reason: `decision ${serial}`,
    ...extra,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

const ids = (events: readonly ScalerEvent[]): string[] => events.map((recorded) => recorded.id);

/** The scaler event tests, on stores from `open` (fresh data each) as `runStatusStoreConformance` opens them. */
export function describeScalerEvents(open: () => Promise<OpenedStore>): void {
  const fresh = async (): Promise<StatusStore> => (await open()).store;

  describe("scaler events", () => {
    it("records only for the lease's holder with its current token, lapsed or not", async () => {
      const { store, another } = await open();
      const other = await another();
      expect(await store.recordScalerEvent(event(1, "a", 1)), "a lease never taken").toBe(false);
      await store.acquireLease({ name: LEASE, holder: "a", ttlMs: 1000, now: T0 });
      expect(await store.recordScalerEvent(event(2, "a", 1))).toBe(true);
      expect(await store.recordScalerEvent(event(3, "a", 2)), "a token the lease never had").toBe(false);
      expect(await store.recordScalerEvent(event(4, "b", 1)), "another scaler under a's token").toBe(false);
      expect(await store.recordScalerEvent(event(5, "a", 1, { lease: "scaler:other" }))).toBe(false);
      // Lapsed at T0 + 1000 but nobody took it: a is still the last holder, so its record stands.
      expect(await store.recordScalerEvent(event(6, "a", 1, { at: T0 + 5000 }))).toBe(true);

      const taken = await other.acquireLease({ name: LEASE, holder: "b", ttlMs: 1000, now: T0 + 5000 });
      expect(taken?.token).toBe(2);
      expect(await store.recordScalerEvent(event(7, "a", 1)), "a, deposed").toBe(false);
      expect(await other.recordScalerEvent(event(8, "b", 1)), "b under the old token").toBe(false);
      expect(await other.recordScalerEvent(event(9, "b", 2))).toBe(true);
      expect(ids(await store.scalerEvents())).toEqual(["ev-0009", "ev-0006", "ev-0002"]);
    });

    it("never records a deposed writer's event once the lease has changed hands, however they race", async () => {
      const { store, another } = await open();
      const other = await another();
      await store.acquireLease({ name: LEASE, holder: "a", ttlMs: 1000, now: T0 });
      // a's writes race b taking the lapsed lease; each is ordered before or after the take, never in between.
      const racing = Array.from({ length: 24 }, (_, i) => store.recordScalerEvent(event(100 + i, "a", 1)));
      const take = other.acquireLease({ name: LEASE, holder: "b", ttlMs: 60_000, now: T0 + 2000 });
      const lease = await take;
      expect(lease?.token).toBe(2);
      // Read as soon as the take is known: every write of a's that the store accepts was ordered before it.
      const seenAfterTake = ids(await other.scalerEvents({ lease: LEASE, limit: 1000 }));
      const late = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.recordScalerEvent(event(200 + i, "a", 1))),
      );
      const winners = await Promise.all(
        Array.from({ length: 8 }, (_, i) => other.recordScalerEvent(event(300 + i, "b", 2))),
      );
      const outcomes = await Promise.all(racing);
      expect(late.every((recorded) => !recorded)).toBe(true);
      expect(winners.every(Boolean)).toBe(true);

      const accepted = outcomes.flatMap((recorded, i) => (recorded ? [event(100 + i, "a", 1).id] : []));
      const refused = outcomes.flatMap((recorded, i) => (recorded ? [] : [event(100 + i, "a", 1).id]));
      for (const id of accepted) expect(seenAfterTake, `${id} accepted before the take`).toContain(id);
      const all = await store.scalerEvents({ limit: 1000 });
      const stored = new Set(ids(all));
      for (const id of accepted) expect(stored.has(id), id).toBe(true);
      for (const id of refused) expect(stored.has(id), id).toBe(false);
      expect(
        all
          .filter((recorded) => recorded.fencingToken === 1)
          .map((recorded) => recorded.id)
          .sort(),
      ).toEqual(accepted.sort());
      expect(all.filter((recorded) => recorded.fencingToken === 2)).toHaveLength(8);
    });

    it("lists newest id first and pages back with before, visiting every event once", async () => {
      const store = await fresh();
      await store.acquireLease({ name: LEASE, holder: "a", ttlMs: 1000, now: T0 });
      const serials = Array.from({ length: 23 }, (_, i) => i);
      // Out of order on purpose: the order is the ids', not the writes'.
      for (const serial of [...serials].reverse().filter((s) => s % 2 === 0)) {
        expect(await store.recordScalerEvent(event(serial, "a", 1))).toBe(true);
      }
      for (const serial of serials.filter((s) => s % 2 === 1)) await store.recordScalerEvent(event(serial, "a", 1));

      const seen: string[] = [];
      let before: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await store.scalerEvents({ limit: 10, ...(before === undefined ? {} : { before }) });
        seen.push(...ids(page));
        pages += 1;
        if (page.length < 10 || pages > 5) break;
        before = page.at(-1)!.id;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(serials.map((serial) => event(serial, "a", 1).id).reverse());
      expect(ids(await store.scalerEvents({ before: "ev-0003" }))).toEqual(["ev-0002", "ev-0001", "ev-0000"]);
      expect(await store.scalerEvents({ before: "ev-0000" })).toEqual([]);
      expect(await store.scalerEvents({ limit: 1 })).toEqual([event(22, "a", 1)]);
    });

    it("filters by lease and by kinds", async () => {
      const store = await fresh();
      await store.acquireLease({ name: LEASE, holder: "a", ttlMs: 1000, now: T0 });
      await store.acquireLease({ name: "scaler:other", holder: "c", ttlMs: 1000, now: T0 });
      const kinds = ["decision", "launch", "drain", "terminate", "recover", "leader", "scrub", "error"] as const;
      for (const [i, kind] of kinds.entries()) {
        await store.recordScalerEvent(event(i, "a", 1, { kind }));
        await store.recordScalerEvent(event(50 + i, "c", 1, { kind, lease: "scaler:other" }));
      }
      expect(ids(await store.scalerEvents({ lease: LEASE }))).toEqual(
        kinds.map((_, i) => event(i, "a", 1).id).reverse(),
      );
      expect(ids(await store.scalerEvents({ kinds: ["launch", "terminate"] }))).toEqual([
        "ev-0053",
        "ev-0051",
        "ev-0003",
        "ev-0001",
      ]);
      const lastDecision = await store.scalerEvents({ lease: "scaler:other", kinds: ["decision"], limit: 1 });
      expect(lastDecision).toEqual([event(50, "c", 1, { lease: "scaler:other" })]);
      expect(ids(await store.scalerEvents({ lease: LEASE, kinds: ["error"], before: "ev-0007" }))).toEqual([]);
      expect(ids(await store.scalerEvents({ lease: LEASE, kinds: ["error"], before: "ev-0008" }))).toEqual(["ev-0007"]);
      expect(await store.scalerEvents({ kinds: [] })).toEqual([]);
      expect(await store.scalerEvents({ lease: "scaler:none" })).toEqual([]);
      expect(await store.scalerEvents({ lease: "%" })).toEqual([]);
    });

    it("keeps the first event of an id, and still answers the fence on a retry", async () => {
      const { store, another } = await open();
      const other = await another();
      await store.acquireLease({ name: LEASE, holder: "a", ttlMs: 1000, now: T0 });
      expect(await store.recordScalerEvent(event(1, "a", 1))).toBe(true);
      expect(await store.recordScalerEvent(event(1, "a", 1, { reason: "again" }))).toBe(true);
      await other.acquireLease({ name: LEASE, holder: "b", ttlMs: 1000, now: T0 + 2000 });
      expect(await store.recordScalerEvent(event(1, "a", 1))).toBe(false);
      expect(await store.scalerEvents()).toEqual([event(1, "a", 1)]);
    });

    it("keeps every field exactly, the policy memory byte for byte, and leaves absent fields absent", async () => {
      const store = await fresh();
      await store.acquireLease({ name: "ünï©ødé 🚀 '\"; --", holder: "a'b", ttlMs: 1000, now: T0 });
      const memory = JSON.stringify({
        arrivals: Array.from({ length: 400 }, (_, i) => i * 0.1 + 1e-9),
        note: "quotes \" ' \\ back\\slash, tabs\t, newline\n, ünïcødé, 🚀, \u2028, \u0001",
      });
      const full = event(1, "a'b", 1, {
        lease: "ünï©ødé 🚀 '\"; --",
        kind: "launch",
        at: T0 + 0.5,
        reason: "",
        desired: 0,
        instanceIds: ["i-1", "ünï-2", "i-3"],
        memory,
      });
      const bare = event(2, "a'b", 1, { lease: full.lease, kind: "leader", instanceIds: [], memory: "" });
      const largest = event(3, "a'b", 1, { lease: full.lease, memory: "é".repeat(32 * 1024) });
      const plain = event(4, "a'b", 1, { lease: full.lease, kind: "scrub" });
      for (const recorded of [full, bare, largest, plain]) expect(await store.recordScalerEvent(recorded)).toBe(true);
      const listed = await store.scalerEvents({ lease: full.lease });
      expect(listed).toStrictEqual([plain, largest, bare, full]);
      expect(Buffer.from(listed[3]!.memory!, "utf8").equals(Buffer.from(memory, "utf8"))).toBe(true);
      for (const key of ["desired", "instanceIds", "memory"]) expect(Object.hasOwn(listed[0]!, key), key).toBe(false);
    });

    it("refuses malformed events with STORE_INVALID_RECORD, recording nothing", async () => {
      const store = await fresh();
      await store.acquireLease({ name: LEASE, holder: "a", ttlMs: 1000, now: T0 });
      const good = event(1, "a", 1);
      const bad: Array<[string, unknown]> = [
        ["not an object", null],
        ["empty id", { ...good, id: "" }],
        ["long id", { ...good, id: "x".repeat(65) }],
        ["id not text", { ...good, id: 7 }],
        ["empty lease", { ...good, lease: "" }],
        ["long lease", { ...good, lease: "l".repeat(201) }],
        ["long scalerId", { ...good, scalerId: "s".repeat(201) }],
        ["token 0", { ...good, fencingToken: 0 }],
        ["token 1.5", { ...good, fencingToken: 1.5 }],
        ["token huge", { ...good, fencingToken: 2 ** 53 }],
        ["unknown kind", { ...good, kind: "nap" }],
        ["at NaN", { ...good, at: Number.NaN }],
        ["at Infinity", { ...good, at: Infinity }],
        ["reason missing", { ...good, reason: undefined }],
        ["long reason", { ...good, reason: "r".repeat(2001) }],
        ["desired -1", { ...good, desired: -1 }],
        ["desired 1.5", { ...good, desired: 1.5 }],
        ["instanceIds text", { ...good, instanceIds: "i-1" }],
        ["too many instanceIds", { ...good, instanceIds: Array.from({ length: 1001 }, (_, i) => `i-${i}`) }],
        ["long instance id", { ...good, instanceIds: ["i".repeat(201)] }],
        ["empty instance id", { ...good, instanceIds: [""] }],
        ["memory over 64 KiB", { ...good, memory: "é".repeat(32 * 1024 + 1) }],
        ["memory not text", { ...good, memory: { a: 1 } }],
        ["NUL in memory", { ...good, memory: '{"a":"\u0000"}' }],
        ["lone surrogate", { ...good, reason: "\ud800" }],
      ];
      for (const [label, value] of bad) {
        const error = await rejection(store.recordScalerEvent(value as ScalerEvent));
        expect(error, label).toBeInstanceOf(StatusStoreError);
        expect((error as StatusStoreError).code, label).toBe("STORE_INVALID_RECORD");
      }
      expect(await store.scalerEvents()).toEqual([]);
      const limits = {
        ...good,
        id: "x".repeat(64),
        instanceIds: Array.from({ length: 1000 }, (_, i) => `i-${i}`.padEnd(200, "-")),
        reason: "r".repeat(2000),
      };
      expect(await store.recordScalerEvent(limits)).toBe(true);
      expect(await store.scalerEvents()).toEqual([limits]);
    });

    it("refuses bad limits and kinds with STORE_INVALID_QUERY", async () => {
      const store = await fresh();
      for (const query of [{ limit: 0 }, { limit: 1001 }, { limit: 2.5 }, { limit: "5" }, { kinds: ["nap"] }]) {
        const error = await rejection(store.scalerEvents(query as never));
        expect((error as StatusStoreError | undefined)?.code, JSON.stringify(query)).toBe("STORE_INVALID_QUERY");
      }
      await expect(store.scalerEvents({ limit: 1000 })).resolves.toEqual([]);
    });

    it("scrubs events older than scalerEventsBefore, and none without it", async () => {
      const store = await fresh();
      await store.acquireLease({ name: LEASE, holder: "a", ttlMs: 1000, now: T0 });
      for (const [serial, at] of [
        [1, T0],
        [2, T0 + 99],
        [3, T0 + 100],
        [4, T0 + 900],
      ] as const) {
        await store.recordScalerEvent(event(serial, "a", 1, { at }));
      }
      const bounds = { jobsFinishedBefore: T0 + 100, workersSeenBefore: T0 + 100 };
      expect(await store.scrub(bounds)).toEqual({ jobs: 0, workers: 0, scalerEvents: 0 });
      expect(await store.scrub({ ...bounds, scalerEventsBefore: T0 + 100 })).toEqual({
        jobs: 0,
        workers: 0,
        scalerEvents: 2,
      });
      expect(ids(await store.scalerEvents())).toEqual(["ev-0004", "ev-0003"]);
      const error = await rejection(store.scrub({ ...bounds, scalerEventsBefore: "soon" as never }));
      expect((error as StatusStoreError | undefined)?.code).toBe("STORE_INVALID_QUERY");
      expect((await store.scrub({ ...bounds, scalerEventsBefore: Infinity })).scalerEvents).toBe(2);
    });

    it("refuses scaler event calls after close with STORE_CLOSED", async () => {
      const store = await fresh();
      await store.acquireLease({ name: LEASE, holder: "a", ttlMs: 1000, now: T0 });
      await store.close();
      for (const call of [() => store.recordScalerEvent(event(1, "a", 1)), () => store.scalerEvents()]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(StatusStoreError);
        expect((error as StatusStoreError).code).toBe("STORE_CLOSED");
      }
    });
  });
}
