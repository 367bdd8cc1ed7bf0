/**
 * The status store conformance suite: every StatusStore implementation runs it (memory, SQLite, PostgreSQL,
 * DynamoDB), so that the rules of src/status/status-store.ts hold whichever store a deployment picks.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  canTransition,
  JOB_STATES,
  StatusStoreError,
  type JobState,
  type JobRecord,
  type JobTransition,
  type StatusStore,
  type WorkerRecord,
} from "thrift-queue";
import { describeScalerEvents } from "./scaler-event-conformance.ts";

/** How the suite reaches an implementation. */
export interface StatusStoreUnderTest {
  /**
   * Opens a client on fresh, isolated data, and a way to open more clients of the same data (for the races: a
   * second connection, pool or process-wide handle, as a second worker would have).
   */
  open(): Promise<OpenedStore>;
}

/** A client on fresh data, and a way to open more clients of the same data. */
export interface OpenedStore {
  readonly store: StatusStore;
  readonly another: () => Promise<StatusStore>;
}

const T0 = 1_767_225_600_000;
const SERVICE = "Thumbnails";

function transition(id: string, to: JobTransition["to"], attempt: number, extra: Partial<JobTransition> = {}) {
  return { id, to, attempt, at: T0 + attempt * 1000, workerId: `w-${attempt}`, ...extra } satisfies JobTransition;
}

function created(extra: Partial<NonNullable<JobTransition["create"]>> = {}): NonNullable<JobTransition["create"]> {
  return { service: SERVICE, method: "render", queue: "jobs", enqueuedAt: T0, ...extra };
}

function worker(id: string, lastSeenAt: number): WorkerRecord {
  return {
    workerId: id,
    instanceId: `i-${id}`,
    host: "host-1",
    pid: 42,
    status: "running",
    queues: ["jobs"],
    startedAt: T0,
    lastSeenAt,
    inFlight: 2,
    processed: 10,
    failed: 1,
  };
}

/** Brings a new job `id` to `state` through the store, at attempt 2 once a worker touched it. */
async function reach(store: StatusStore, id: string, state: JobState): Promise<JobRecord> {
  const steps: Record<JobState, Array<JobTransition["to"]>> = {
    queued: [],
    running: ["running"],
    retrying: ["running", "retrying"],
    succeeded: ["running", "succeeded"],
    failed: ["running", "failed"],
    dead: ["running", "dead"],
    cancelled: ["cancelled"],
  };
  await store.enqueued([{ id, service: SERVICE, method: "render", enqueuedAt: T0 }]);
  let record = await store.get(id);
  for (const to of steps[state]) {
    const outcome = await store.transition(transition(id, to, 2));
    expect(outcome.applied, `reaching ${state}`).toBe(true);
    record = outcome.record;
  }
  expect(record?.state).toBe(state);
  return record!;
}

/** Runs the suite against one implementation. */
export function runStatusStoreConformance(name: string, subject: StatusStoreUnderTest): void {
  const opened: StatusStore[] = [];
  const open = async (): Promise<OpenedStore> => {
    const handle = await subject.open();
    opened.push(handle.store);
    return {
      store: handle.store,
      another: async () => {
        const store = await handle.another();
        opened.push(store);
        return store;
      },
    };
  };
  const fresh = async (): Promise<StatusStore> => (await open()).store;

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describe(`${name} status store conformance`, () => {
    it("records queued jobs once, and never over a record a worker reached", async () => {
      const store = await fresh();
      const jobs = ["a", "b", "c"].map((id) => ({
        id,
        service: SERVICE,
        method: "render",
        queue: "jobs",
        enqueuedAt: T0,
      }));
      expect(await store.enqueued(jobs)).toBe(3);
      expect(await store.enqueued(jobs)).toBe(0);
      expect(await store.enqueued([])).toBe(0);
      const record = await store.get("a");
      expect(record).toMatchObject({ id: "a", service: SERVICE, method: "render", state: "queued", attempt: 0 });
      expect(record?.queue).toBe("jobs");
      expect(record?.enqueuedAt).toBe(T0);
      expect(record?.progress).toBeUndefined();
      expect(record?.finishedAt).toBeUndefined();

      await store.transition(transition("d", "running", 1, { create: created() }));
      expect(await store.enqueued([{ id: "d", service: SERVICE, method: "render", enqueuedAt: T0 }])).toBe(0);
      expect((await store.get("d"))?.state).toBe("running");
    });

    it("applies the job state machine and returns the record either way", async () => {
      const store = await fresh();
      await store.enqueued([{ id: "j", service: SERVICE, method: "render", enqueuedAt: T0 }]);
      const started = await store.transition(transition("j", "running", 1));
      expect(started.applied).toBe(true);
      expect(started.record).toMatchObject({ state: "running", attempt: 1, workerId: "w-1", startedAt: T0 + 1000 });

      const duplicate = await store.transition(transition("j", "running", 1));
      expect(duplicate.applied).toBe(false);
      expect(duplicate.record).toMatchObject({ state: "running", attempt: 1 });

      const error = { type: "TypeError", message: "boom" };
      expect((await store.transition(transition("j", "retrying", 1, { error }))).record?.error).toEqual(error);
      expect((await store.transition(transition("j", "succeeded", 1))).applied).toBe(false);
      const again = await store.transition(transition("j", "running", 2));
      expect(again.record).toMatchObject({ state: "running", attempt: 2, startedAt: T0 + 1000, error });
      // The first worker, its lease long lost, finishes late: it must not win.
      expect((await store.transition(transition("j", "succeeded", 1))).applied).toBe(false);

      const done = await store.transition(transition("j", "succeeded", 2));
      expect(done.applied).toBe(true);
      expect(done.record).toMatchObject({ state: "succeeded", attempt: 2, finishedAt: T0 + 2000 });
      expect(done.record?.error).toBeUndefined();

      for (const to of ["running", "retrying", "failed", "dead", "cancelled"] as const) {
        const late = await store.transition(transition("j", to, 3));
        expect(late.applied, to).toBe(false);
        expect(late.record?.state).toBe("succeeded");
      }
      expect((await store.get("j"))?.state).toBe("succeeded");
    });

    it("applies every rule of canTransition through the store, from every state and attempt", async () => {
      const store = await fresh();
      const targets = ["running", "retrying", "succeeded", "failed", "dead", "cancelled"] as const;
      let serial = 0;
      for (const from of JOB_STATES) {
        for (const to of targets) {
          for (const attempt of [1, 2, 3]) {
            const id = `rule-${serial++}`;
            const before = await reach(store, id, from);
            const outcome = await store.transition(transition(id, to, attempt, { at: T0 + 9000 }));
            const expected = canTransition(before.state, before.attempt, to, attempt);
            const label = `${from}@${before.attempt} → ${to}@${attempt}`;
            expect(outcome.applied, label).toBe(expected);
            expect(outcome.record?.state, label).toBe(expected ? to : from);
            expect(outcome.record?.attempt, label).toBe(expected && to !== "cancelled" ? attempt : before.attempt);
            expect(outcome.record?.updatedAt, label).toBe(expected ? T0 + 9000 : before.updatedAt);
            expect((await store.get(id))?.state, label).toBe(outcome.record?.state);
          }
        }
      }
    });

    it("never lets a creating transition overwrite a record that exists", async () => {
      const store = await fresh();
      await store.enqueued([{ id: "q", service: SERVICE, method: "render", queue: "jobs", enqueuedAt: T0 }]);
      const started = await store.transition(
        transition("q", "running", 1, { create: created({ method: "other", queue: "elsewhere", enqueuedAt: 5 }) }),
      );
      expect(started.applied).toBe(true);
      expect(started.record).toMatchObject({ method: "render", queue: "jobs", enqueuedAt: T0, state: "running" });
      await store.transition(transition("q", "succeeded", 1, { result: new Uint8Array([1, 2]) }));
      for (const to of ["running", "dead", "cancelled"] as const) {
        const late = await store.transition(transition("q", to, 2, { create: created() }));
        expect(late.applied, to).toBe(false);
        expect(late.record).toMatchObject({ state: "succeeded", attempt: 1 });
      }
      expect([...((await store.get("q"))?.result ?? [])]).toEqual([1, 2]);
    });

    it("keeps the first start time and the last error across attempts, and clears finishedAt only by moving on", async () => {
      const store = await fresh();
      await store.transition(transition("t", "running", 1, { create: created() }));
      const error = { type: "jobs.Busy", message: "try later" };
      const retrying = await store.transition(transition("t", "retrying", 1, { error }));
      expect(retrying.record).toMatchObject({ startedAt: T0 + 1000, finishedAt: undefined, error });
      const second = await store.transition(transition("t", "running", 2, { workerId: undefined }));
      expect(second.record).toMatchObject({ startedAt: T0 + 1000, workerId: "w-1", error, attempt: 2 });
      const failed = await store.transition(transition("t", "failed", 2));
      expect(failed.record).toMatchObject({ state: "failed", error, finishedAt: T0 + 2000, workerId: "w-2" });
      const cancelled = await store.transition({ id: "c", to: "cancelled", attempt: 7, at: T0, create: created() });
      expect(cancelled.record).toMatchObject({ state: "cancelled", attempt: 0, finishedAt: T0 });
      expect(cancelled.record?.workerId).toBeUndefined();
    });

    it("creates a record from a transition only when asked to", async () => {
      const store = await fresh();
      expect(await store.transition(transition("x", "running", 1))).toEqual({ applied: false, record: undefined });
      expect(await store.get("x")).toBeUndefined();
      const dead = await store.transition(
        transition("y", "dead", 1, {
          create: created({ method: "countRendered" }),
          error: { type: "CODEC_TRUNCATED", message: "short" },
        }),
      );
      expect(dead.applied).toBe(true);
      expect(dead.record).toMatchObject({ state: "dead", method: "countRendered", queue: "jobs", enqueuedAt: T0 });
      expect(dead.record?.error).toEqual({ type: "CODEC_TRUNCATED", message: "short" });
      expect(dead.record?.finishedAt).toBe(T0 + 1000);
    });

    it("keeps result bytes exactly", async () => {
      const store = await fresh();
      const bytes = new Uint8Array(300).map((_, i) => (i * 37) % 256);
      await store.transition(transition("r", "running", 1, { create: created() }));
      await store.transition(transition("r", "succeeded", 1, { result: bytes }));
      const record = await store.get("r");
      expect(record?.result).toBeInstanceOf(Uint8Array);
      expect([...(record?.result ?? [])]).toEqual([...bytes]);

      await store.transition(transition("e", "running", 1, { create: created() }));
      await store.transition(
        transition("e", "failed", 1, { result: new Uint8Array(0), error: { type: "jobs.X", message: "" } }),
      );
      expect((await store.get("e"))?.result?.length).toBe(0);
      expect((await store.get("e"))?.error).toEqual({ type: "jobs.X", message: "" });
    });

    it("cancels any job that is not final, whatever the attempt", async () => {
      const store = await fresh();
      await store.enqueued([{ id: "c", service: SERVICE, method: "render", enqueuedAt: T0 }]);
      const cancelled = await store.transition({ id: "c", to: "cancelled", attempt: 0, at: T0 + 5 });
      expect(cancelled.applied).toBe(true);
      expect(cancelled.record).toMatchObject({ state: "cancelled", finishedAt: T0 + 5 });
      expect((await store.transition(transition("c", "running", 1))).applied).toBe(false);
    });

    it("records progress only for the running attempt", async () => {
      const store = await fresh();
      await store.transition(transition("p", "running", 2, { create: created() }));
      expect(await store.progress({ id: "p", attempt: 1, percent: 10, at: T0 + 3000 })).toBe(false);
      expect(await store.progress({ id: "p", attempt: 2, percent: 40, message: "page 4 of 10", at: T0 + 3000 })).toBe(
        true,
      );
      expect(await store.get("p")).toMatchObject({
        progress: 40,
        progressMessage: "page 4 of 10",
        updatedAt: T0 + 3000,
      });
      await store.transition(transition("p", "succeeded", 2));
      expect(await store.progress({ id: "p", attempt: 2, percent: 50, at: T0 + 4000 })).toBe(false);
      expect(await store.progress({ id: "nobody", attempt: 1, percent: 50, at: T0 })).toBe(false);
      expect((await store.get("p"))?.progress).toBe(40);
    });

    it("lets exactly one of many racing workers start an attempt, and one finish it", async () => {
      const { store, another } = await open();
      const other = await another();
      await store.enqueued([{ id: "race", service: SERVICE, method: "render", enqueuedAt: T0 }]);
      const starts = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? store : other).transition(transition("race", "running", 1, { workerId: `w${i}` })),
        ),
      );
      expect(starts.filter((outcome) => outcome.applied)).toHaveLength(1);
      const finishes = await Promise.all([
        store.transition(transition("race", "succeeded", 1)),
        other.transition(transition("race", "dead", 1)),
        store.transition(transition("race", "failed", 1)),
      ]);
      expect(finishes.filter((outcome) => outcome.applied)).toHaveLength(1);
      const final = await other.get("race");
      expect(["succeeded", "dead", "failed"]).toContain(final?.state);
      expect(finishes.find((outcome) => outcome.applied)?.record?.state).toBe(final?.state);
    });

    it("lists with filters, newest id first, and pages through every record exactly once", async () => {
      const store = await fresh();
      const ids = Array.from({ length: 25 }, (_, i) => `job-${String(i).padStart(3, "0")}`);
      await store.enqueued(
        ids.map((id, i) => ({
          id,
          service: i % 2 === 0 ? SERVICE : "Reports",
          method: i % 3 === 0 ? "a" : "b",
          enqueuedAt: T0 + i,
        })),
      );
      await store.transition(transition("job-004", "running", 1));

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list({ limit: 7, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...page.jobs.map((job) => job.id));
        cursor = page.nextCursor;
        if (pages === 0) await store.enqueued([{ id: "job-999", service: SERVICE, method: "a", enqueuedAt: T0 }]);
        pages += 1;
      } while (cursor !== undefined && pages < 10);
      expect(seen).toEqual([...ids].reverse());
      expect(pages).toBe(4);

      expect((await store.list({ state: "running" })).jobs.map((job) => job.id)).toEqual(["job-004"]);
      const reports = (await store.list({ service: "Reports", method: "a" })).jobs.map((job) => job.id);
      expect(reports).toEqual(["job-021", "job-015", "job-009", "job-003"]);
      const recent = await store.list({ since: T0 + 22 });
      expect(recent.jobs.map((job) => job.id)).toEqual(["job-024", "job-023", "job-022", "job-004"].sort().reverse());
      const all = await store.list();
      expect(all.jobs).toHaveLength(26);
      expect(all.nextCursor).toBeUndefined();
    });

    it("refuses bad limits and cursors with STORE_INVALID_QUERY", async () => {
      const store = await fresh();
      for (const query of [
        { limit: 0 },
        { limit: 1001 },
        { limit: 2.5 },
        { cursor: "garbage!" },
        { cursor: "" },
        { cursor: "aWQ" },
      ]) {
        await expect(store.list(query), JSON.stringify(query)).rejects.toMatchObject({ code: "STORE_INVALID_QUERY" });
      }
      await expect(store.list({ limit: 1 })).resolves.toMatchObject({ jobs: [] });
    });

    it("counts jobs in every state", async () => {
      const store = await fresh();
      await store.enqueued([
        { id: "1", service: SERVICE, method: "render", enqueuedAt: T0 },
        { id: "2", service: SERVICE, method: "render", enqueuedAt: T0 },
        { id: "3", service: "Reports", method: "render", enqueuedAt: T0 },
      ]);
      await store.transition(transition("2", "running", 1));
      const counts = await store.counts();
      expect(Object.keys(counts).sort()).toEqual([...JOB_STATES].sort());
      expect(counts).toMatchObject({ queued: 2, running: 1, succeeded: 0, dead: 0 });
      expect(await store.counts({ service: "Reports" })).toMatchObject({ queued: 1, running: 0 });
      expect(await store.counts({ service: SERVICE, method: "other" })).toMatchObject({ queued: 0, running: 0 });
    });

    it("keeps the last heartbeat of each worker, most recently seen first", async () => {
      const store = await fresh();
      await store.heartbeat(worker("a", T0 + 1));
      await store.heartbeat(worker("b", T0 + 5));
      await store.heartbeat({ ...worker("a", T0 + 9), status: "draining", inFlight: 0, processed: 12 });
      const workers = await store.workers();
      expect(workers.map((w) => w.workerId)).toEqual(["a", "b"]);
      expect(workers[0]).toEqual({ ...worker("a", T0 + 9), status: "draining", inFlight: 0, processed: 12 });
      expect(workers[1]).toEqual(worker("b", T0 + 5));
    });

    it("scrubs only old final jobs and workers not seen for a while", async () => {
      const store = await fresh();
      await store.transition(transition("old-done", "running", 1, { create: created(), at: T0 }));
      await store.transition(transition("old-done", "succeeded", 1, { at: T0 + 10 }));
      await store.transition(transition("old-running", "running", 1, { create: created(), at: T0 }));
      await store.transition(transition("new-done", "running", 1, { create: created(), at: T0 + 500 }));
      await store.transition(transition("new-done", "dead", 1, { at: T0 + 900 }));
      await store.heartbeat(worker("gone", T0));
      await store.heartbeat(worker("here", T0 + 900));
      expect(await store.scrub({ jobsFinishedBefore: T0 + 100, workersSeenBefore: T0 + 100 })).toEqual({
        jobs: 1,
        workers: 1,
        scalerEvents: 0,
      });
      expect(await store.get("old-done")).toBeUndefined();
      expect((await store.get("old-running"))?.state).toBe("running");
      expect((await store.get("new-done"))?.state).toBe("dead");
      expect((await store.workers()).map((w) => w.workerId)).toEqual(["here"]);
    });

    it("hands leases to one holder at a time, with fencing tokens", async () => {
      const { store, another } = await open();
      const other = await another();
      expect(await store.lease("scaler")).toBeUndefined();
      const first = await store.acquireLease({ name: "scaler", holder: "a", ttlMs: 1000, now: T0 });
      expect(first).toEqual({ name: "scaler", holder: "a", token: 1, expiresAt: T0 + 1000 });
      expect(await other.acquireLease({ name: "scaler", holder: "b", ttlMs: 1000, now: T0 + 500 })).toBeUndefined();
      const renewed = await store.acquireLease({ name: "scaler", holder: "a", ttlMs: 1000, now: T0 + 600 });
      expect(renewed).toEqual({ name: "scaler", holder: "a", token: 1, expiresAt: T0 + 1600 });
      const taken = await other.acquireLease({ name: "scaler", holder: "b", ttlMs: 1000, now: T0 + 1600 });
      expect(taken).toEqual({ name: "scaler", holder: "b", token: 2, expiresAt: T0 + 2600 });
      expect(await store.acquireLease({ name: "scaler", holder: "a", ttlMs: 1000, now: T0 + 1700 })).toBeUndefined();
      expect(await store.releaseLease("scaler", "a", 1)).toBe(false);
      expect(await other.releaseLease("scaler", "b", 1)).toBe(false);
      expect(await other.releaseLease("scaler", "b", 2)).toBe(true);
      const released = await store.lease("scaler");
      expect(released).toMatchObject({ name: "scaler", holder: "b", token: 2 });
      expect(released!.expiresAt, "a released lease has lapsed").toBeLessThanOrEqual(T0 + 1700);
      const after = await store.acquireLease({ name: "scaler", holder: "a", ttlMs: 1000, now: T0 + 1800 });
      expect(after?.token).toBe(3);
      expect(await other.lease("scaler")).toMatchObject({ holder: "a", token: 3 });
      expect(await store.acquireLease({ name: "other", holder: "b", ttlMs: 10, now: T0 })).toMatchObject({ token: 1 });
    });

    it("gives a free lease to exactly one of several racing claimants", async () => {
      const { store, another } = await open();
      const others = await Promise.all([another(), another()]);
      const clients = [store, ...others];
      const claims = await Promise.all(
        Array.from({ length: 9 }, (_, i) =>
          clients[i % clients.length]!.acquireLease({ name: "race", holder: `h${i}`, ttlMs: 10_000, now: T0 }),
        ),
      );
      const winners = claims.filter((lease) => lease !== undefined);
      expect(winners).toHaveLength(1);
      expect(await store.lease("race")).toEqual(winners[0]);
    });

    it("treats hostile ids and names as data", async () => {
      const store = await fresh();
      const ids = ["__proto__", "constructor", "a'b\"c", "50%_off", "ünï©ødé-🚀", "x; DROP TABLE jobs; --"];
      await store.enqueued(ids.map((id) => ({ id, service: "__proto__", method: "toString", enqueuedAt: T0 })));
      for (const id of ids) expect((await store.get(id))?.id).toBe(id);
      expect((await store.list({ service: "__proto__" })).jobs).toHaveLength(ids.length);
      expect((await store.list({ service: "%" })).jobs).toHaveLength(0);
      expect((await store.counts({ service: "__proto__" })).queued).toBe(ids.length);
      const page = await store.list({ limit: 2 });
      const next = await store.list({ limit: 10, cursor: page.nextCursor! });
      expect([...page.jobs, ...next.jobs].map((job) => job.id).sort()).toEqual([...ids].sort());
    });

    it("closes idempotently and refuses calls after close with STORE_CLOSED", async () => {
      const store = await fresh();
      await store.close();
      await store.close();
      const calls: Array<() => Promise<unknown>> = [
        () => store.get("a"),
        () => store.enqueued([{ id: "a", service: SERVICE, method: "m", enqueuedAt: T0 }]),
        () => store.transition(transition("a", "running", 1, { create: created() })),
        () => store.list(),
        () => store.workers(),
        () => store.acquireLease({ name: "l", holder: "h", ttlMs: 1, now: T0 }),
        () => store.scalerEvents(),
      ];
      for (const call of calls) {
        const error = await call().then(
          () => undefined,
          (reason: unknown) => reason,
        );
        expect(error).toBeInstanceOf(StatusStoreError);
        expect((error as StatusStoreError).code).toBe("STORE_CLOSED");
      }
    });

    it("returns records whose fields are all present", async () => {
      const store = await fresh();
      await store.enqueued([{ id: "shape", service: SERVICE, method: "render", enqueuedAt: T0 }]);
      const record = (await store.get("shape")) as JobRecord;
      const keys: Array<keyof JobRecord> = [
        "id",
        "service",
        "method",
        "state",
        "attempt",
        "progress",
        "progressMessage",
        "workerId",
        "queue",
        "enqueuedAt",
        "startedAt",
        "updatedAt",
        "finishedAt",
        "error",
        "result",
      ];
      for (const key of keys) expect(key in record, key).toBe(true);
      expect(record.updatedAt).toBe(T0);
    });

    describeScalerEvents(open);
  });
}
