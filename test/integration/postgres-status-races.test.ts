/**
 * The PostgreSQL status store under concurrency: two pools racing the same writes (exactly one wins, the loser
 * sees the winner's record), a transition that waits on a row lock while another writer moves the row, leases
 * raced by many holders, and migrations raced by several opens of one fresh schema.
 */
import { afterAll, expect, it } from "vitest";
import { PostgresStatusStore } from "../../src/status/postgres/postgres-status-store.ts";
import { postgresUnavailable, rawPostgres, withPostgres } from "./postgres-server.ts";

const unavailable = await postgresUnavailable();

withPostgres("PostgreSQL status store races", unavailable, (schemas) => {
  const opened: PostgresStatusStore[] = [];
  afterAll(() => Promise.all(opened.map((store) => store.close())));

  /** Two stores (two pools) on one fresh schema; `schema` is that schema's name. */
  async function twoPools(
    params: Record<string, string> = {},
  ): Promise<[PostgresStatusStore, PostgresStatusStore] & { schema: string }> {
    const url = schemas.url(params);
    const first = await PostgresStatusStore.open(url);
    const second = await PostgresStatusStore.open(url);
    opened.push(first, second);
    return Object.assign([first, second] as [PostgresStatusStore, PostgresStatusStore], {
      schema: new URL(url).searchParams.get("schema") ?? "",
    });
  }

  const JOBS = 40;
  const ids = Array.from({ length: JOBS }, (_, index) => `job-${String(index).padStart(3, "0")}`);

  it("lets exactly one of two pools start each attempt", async () => {
    const [a, b] = await twoPools();
    await a.enqueued(ids.map((id) => ({ id, service: "S", method: "m", enqueuedAt: 1 })));
    const outcomes = await Promise.all(
      ids.map((id) =>
        Promise.all([
          a.transition({ id, to: "running", attempt: 1, at: 10, workerId: "wa" }),
          b.transition({ id, to: "running", attempt: 1, at: 10, workerId: "wb" }),
        ]),
      ),
    );
    for (const [fromA, fromB] of outcomes) {
      expect([fromA.applied, fromB.applied].filter(Boolean)).toHaveLength(1);
      const winner = fromA.applied ? "wa" : "wb";
      expect(fromA.record).toMatchObject({ state: "running", attempt: 1, workerId: winner });
      expect(fromB.record).toMatchObject({ state: "running", attempt: 1, workerId: winner });
    }
  });

  it("settles each attempt once when two pools race different outcomes", async () => {
    const [a, b] = await twoPools();
    await a.enqueued(ids.map((id) => ({ id, service: "S", method: "m", enqueuedAt: 1 })));
    await Promise.all(ids.map((id) => a.transition({ id, to: "running", attempt: 1, at: 10, workerId: "w" })));
    const outcomes = await Promise.all(
      ids.map((id) =>
        Promise.all([
          a.transition({ id, to: "succeeded", attempt: 1, at: 20, result: new Uint8Array([0]) }),
          b.transition({ id, to: "failed", attempt: 1, at: 20, error: { type: "E", message: "boom" } }),
        ]),
      ),
    );
    for (const [index, [succeeded, failed]] of outcomes.entries()) {
      expect([succeeded.applied, failed.applied].filter(Boolean)).toHaveLength(1);
      const stored = await b.get(ids[index] ?? "");
      expect(stored?.state).toBe(succeeded.applied ? "succeeded" : "failed");
      expect(succeeded.record?.state).toBe(stored?.state);
      expect(failed.record?.state).toBe(stored?.state);
    }
  });

  it("creates an unknown job once when two pools race to create it, and the loser sees the record", async () => {
    const [a, b] = await twoPools();
    const create = { service: "S", method: "m", queue: "q" };
    const outcomes = await Promise.all(
      ids.map((id) =>
        Promise.all([
          a.transition({ id, to: "running", attempt: 1, at: 10, workerId: "wa", create }),
          b.transition({ id, to: "running", attempt: 1, at: 10, workerId: "wb", create }),
        ]),
      ),
    );
    for (const [fromA, fromB] of outcomes) {
      expect([fromA.applied, fromB.applied].filter(Boolean)).toHaveLength(1);
      expect(fromA.record).toMatchObject({ state: "running", attempt: 1, queue: "q" });
      expect(fromB.record).toEqual(fromA.record);
    }
    expect((await a.counts()).running).toBe(JOBS);
  });

  it("reports the row as it is now when a concurrent writer moved it while the transition waited", async () => {
    const pools = await twoPools({ application_name: "tq_race_waiter" });
    const [store] = pools;
    const id = "locked-job";
    await store.transition({
      id,
      to: "running",
      attempt: 1,
      at: 10,
      workerId: "w1",
      create: { service: "S", method: "m" },
    });
    const jobsTable = `"${pools.schema}".tq_jobs`;
    const raw = await rawPostgres();
    try {
      await raw.query("BEGIN");
      await raw.query(`UPDATE ${jobsTable} SET state = 'succeeded', finished_at = 20, updated_at = 20 WHERE id = $1`, [
        id,
      ]);
      // Attempt 2 may start from running@1 as the statement's snapshot sees it, but must wait for the lock first.
      const pending = store.transition({ id, to: "running", attempt: 2, at: 30, workerId: "w2" });
      await waitUntilBlocked(raw, "tq_race_waiter");
      await raw.query("COMMIT");
      const outcome = await pending;
      expect(outcome.applied).toBe(false);
      expect(outcome.record).toMatchObject({ state: "succeeded", attempt: 1, workerId: "w1", finishedAt: 20 });
    } finally {
      await raw.query("ROLLBACK").catch(() => undefined);
      await raw.end();
    }
  });

  it("gives a contested lease to exactly one of many holders, with one token", async () => {
    const [a, b] = await twoPools();
    const claims = Array.from({ length: 20 }, (_, index) =>
      (index % 2 === 0 ? a : b).acquireLease({ name: "scaler", holder: `h${index}`, ttlMs: 10_000, now: 1000 }),
    );
    const leases = (await Promise.all(claims)).filter((lease) => lease !== undefined);
    expect(leases).toHaveLength(1);
    expect(leases[0]?.token).toBe(1);
    expect(await b.lease("scaler")).toEqual(leases[0]);
  });

  it("migrates once when several processes open a fresh schema at the same time", async () => {
    const url = schemas.url();
    const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresStatusStore.open(url)));
    opened.push(...stores);
    await stores[0]?.enqueued([{ id: "x", service: "S", method: "m", enqueuedAt: 1 }]);
    for (const store of stores) expect((await store.get("x"))?.state).toBe("queued");
    const raw = await rawPostgres();
    try {
      const { rows } = await raw.query<{ count: string }>(
        "SELECT count(*) AS count FROM pg_tables WHERE schemaname = $1",
        [new URL(url).searchParams.get("schema")],
      );
      // jobs, workers, leases and scaler_events, each created once.
      expect(Number(rows[0]?.count)).toBe(4);
    } finally {
      await raw.end();
    }
  });
});

/** Waits until a connection with this application name is waiting for a lock. */
async function waitUntilBlocked(raw: Awaited<ReturnType<typeof rawPostgres>>, applicationName: string): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const { rowCount } = await raw.query(
      "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
      [applicationName],
    );
    if (rowCount !== null && rowCount > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no connection of ${applicationName} waited for a lock`);
}
