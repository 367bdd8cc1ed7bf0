/**
 * The PostgreSQL status store passes the status store conformance suite against a real server (a fresh schema per
 * open), and behaves as documented where PostgreSQL is concerned: URL forms and DATABASE_URL, a server that is
 * down or drops connections, migrate=false, hostile ids, close.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, StatusStoreError, openStatusStore, type StatusStore } from "thrift-queue";
import { PostgresStatusStore } from "../../src/status/postgres/postgres-status-store.ts";
import { runStatusStoreConformance } from "../conformance/status-store-conformance.ts";
import { POSTGRES_URL, postgresUnavailable, rawPostgres, withPostgres } from "./postgres-server.ts";

const unavailable = await postgresUnavailable();

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable("expected a rejection"),
    (error: unknown) => error,
  );
}

withPostgres("PostgreSQL status store", unavailable, (schemas) => {
  // Batched (a small pool, so concurrent moves share statements) and one statement per move.
  for (const [variant, params] of [
    ["postgres", { poolSize: "2" }],
    ["postgres unbatched", { batchTransitions: "false" }],
  ] as const) {
    runStatusStoreConformance(variant, {
      async open() {
        const url = schemas.url(params);
        return { store: await PostgresStatusStore.open(url), another: () => PostgresStatusStore.open(url) };
      },
    });
  }

  describe("PostgreSQL specifics", () => {
    const opened: StatusStore[] = [];
    afterAll(() => Promise.all(opened.map((store) => store.close())));
    const open = async (url: string, env?: Record<string, string | undefined>): Promise<PostgresStatusStore> => {
      const store = await PostgresStatusStore.open(url, env === undefined ? {} : { env });
      opened.push(store);
      return store;
    };

    it("opens postgres:// and postgresql:// URLs through openStatusStore", async () => {
      for (const scheme of ["postgres:", "postgresql:"]) {
        const url = new URL(schemas.url());
        url.protocol = scheme;
        const store = await openStatusStore(url.toString());
        opened.push(store);
        expect(store.kind).toBe("postgres");
        expect(await store.enqueued([{ id: "j", service: "S", method: "m", enqueuedAt: 1 }])).toBe(1);
      }
    });

    it("takes the connection from DATABASE_URL when the URL names no host, keeping its own parameters", async () => {
      const schema = new URL(schemas.url()).searchParams.get("schema") ?? "";
      const store = await open(`postgres:?schema=${schema}&tablePrefix=env_`, { DATABASE_URL: POSTGRES_URL });
      await store.enqueued([{ id: "from-env", service: "S", method: "m", enqueuedAt: 1 }]);
      const raw = await rawPostgres();
      try {
        const { rows } = await raw.query(`SELECT id FROM "${schema}".env_jobs`);
        expect(rows).toEqual([{ id: "from-env" }]);
      } finally {
        await raw.end();
      }
      const error = await rejection(PostgresStatusStore.open("postgres:", { env: {} }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: "CONFIG_INVALID" });
    });

    it("refuses a bad schema, prefix or pool size before connecting", async () => {
      const error = await rejection(
        PostgresStatusStore.open(`${POSTGRES_URL}?schema=a"b&tablePrefix=1x&poolSize=0&migrate=maybe`),
      );
      expect(error).toBeInstanceOf(ConfigError);
      const { message } = error as ConfigError;
      for (const field of ["schema", "tablePrefix", "poolSize", "migrate"]) expect(message).toContain(field);
    });

    it("rejects with retryable STORE_UNAVAILABLE when the server is down", async () => {
      const url = new URL(POSTGRES_URL);
      url.hostname = "127.0.0.1";
      url.port = String(await closedPort());
      url.searchParams.set("connectTimeoutMs", "2000");
      const error = await rejection(PostgresStatusStore.open(url.toString()));
      expect(error).toBeInstanceOf(StatusStoreError);
      expect(error).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
    });

    it("survives the server terminating its connections: calls fail as STORE_UNAVAILABLE or succeed, then work", async () => {
      const store = await open(schemas.url({ application_name: "tq_terminated", poolSize: "2" }));
      await store.enqueued([{ id: "before", service: "S", method: "m", enqueuedAt: 1 }]);
      const raw = await rawPostgres();
      try {
        const { rowCount } = await raw.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
          ["tq_terminated"],
        );
        expect(rowCount).toBeGreaterThan(0);
      } finally {
        await raw.end();
      }
      const first = await store.get("before").then(
        (record) => ({ record }),
        (error: unknown) => ({ error }),
      );
      if ("error" in first) expect(first.error).toMatchObject({ code: "STORE_UNAVAILABLE", retryable: true });
      else expect(first.record?.state).toBe("queued");
      expect((await store.get("before"))?.state).toBe("queued");
    });

    it("opens with migrate=false only where the tables exist", async () => {
      const url = schemas.url();
      const error = await rejection(PostgresStatusStore.open(`${url}&migrate=false`));
      expect(error).toMatchObject({ code: "STORE_FAILED" });
      await open(url);
      const store = await open(`${url}&migrate=false`);
      expect(await store.enqueued([{ id: "x", service: "S", method: "m", enqueuedAt: 1 }])).toBe(1);
    });

    it("gives a database of the previous version the scaler events table on open (not with migrate=false)", async () => {
      const url = schemas.url({ tablePrefix: "old_" });
      const first = await PostgresStatusStore.open(url);
      await first.enqueued([{ id: "kept", service: "S", method: "m", enqueuedAt: 1 }]);
      const lease = await first.acquireLease({ name: "scaler:fleet", holder: "a", ttlMs: 1000, now: 1 });
      await first.close();
      const schema = new URL(url).searchParams.get("schema") ?? "";
      const raw = await rawPostgres();
      const exists = async (): Promise<unknown> =>
        (await raw.query("SELECT to_regclass($1) IS NOT NULL AS present", [`"${schema}".old_scaler_events`])).rows[0];
      try {
        // The previous version's layout: jobs, workers and leases only.
        await raw.query(`DROP TABLE "${schema}".old_scaler_events`);
        expect(await exists()).toEqual({ present: false });
        const refused = await rejection(PostgresStatusStore.open(`${url}&migrate=false`));
        expect(refused).toMatchObject({ code: "STORE_FAILED" });
        expect((refused as Error).message).toContain("old_scaler_events");
        const store = await open(url);
        expect(await exists()).toEqual({ present: true });
        expect((await store.get("kept"))?.state).toBe("queued");
        const event = {
          id: "e1",
          lease: "scaler:fleet",
          scalerId: "a",
          fencingToken: lease!.token,
          kind: "decision" as const,
          at: 2,
          reason: "first after the upgrade",
        };
        expect(await store.recordScalerEvent(event)).toBe(true);
        expect(await store.scalerEvents()).toEqual([event]);
      } finally {
        await raw.end();
      }
    });

    it("fences a scaler event against a take of the lease still in flight: it waits for it, then refuses", async () => {
      const url = schemas.url({ tablePrefix: "fence_" });
      const store = await open(url);
      await store.acquireLease({ name: "scaler:fleet", holder: "a", ttlMs: 1000, now: 1 });
      const schema = new URL(url).searchParams.get("schema") ?? "";
      const raw = await rawPostgres();
      const event = {
        id: "late",
        lease: "scaler:fleet",
        scalerId: "a",
        fencingToken: 1,
        kind: "launch" as const,
        at: 5000,
        reason: "a, paused past its lease, wakes up",
      };
      try {
        // Another scaler's take of the lapsed lease, its transaction not yet committed.
        await raw.query("BEGIN");
        await raw.query(`UPDATE "${schema}".fence_leases SET holder = 'b', token = 2, expires_at = 9000`);
        let settled = false;
        const recording = store.recordScalerEvent(event).finally(() => (settled = true));
        await new Promise((resolve) => setTimeout(resolve, 300));
        // A snapshot read would still see a's lease and insert: the row lock makes the insert wait instead.
        expect(settled).toBe(false);
        await raw.query("COMMIT");
        expect(await recording).toBe(false);
        expect(await store.scalerEvents()).toEqual([]);
        expect(await store.recordScalerEvent({ ...event, scalerId: "b", fencingToken: 2 })).toBe(true);
      } finally {
        await raw.end();
      }
    });

    it("binds hostile ids and names as data", async () => {
      const store = await open(schemas.url());
      const ids = ["'); DROP TABLE tq_jobs; --", 'quote"d', "back\\slash", "ünï\u{1F600}", "$1", "a\nb"];
      expect(await store.enqueued(ids.map((id) => ({ id, service: "S'", method: "m;", enqueuedAt: 1 })))).toBe(
        ids.length,
      );
      for (const id of ids) {
        const outcome = await store.transition({ id, to: "running", attempt: 1, at: 2, workerId: "w'" });
        expect(outcome).toMatchObject({ applied: true, record: { id, service: "S'", workerId: "w'" } });
      }
      expect((await store.counts({ service: "S'" })).running).toBe(ids.length);
      const lease = await store.acquireLease({ name: "'; --", holder: '"', ttlMs: 10, now: 1 });
      expect(lease).toMatchObject({ name: "'; --", holder: '"', token: 1 });
    });

    it("refuses moves no store could apply with STORE_INVALID_RECORD instead of a driver error", async () => {
      const store = await open(schemas.url());
      const error = await rejection(store.transition({ id: "x", to: "running", attempt: 1.5, at: 1 }));
      expect(error).toMatchObject({ code: "STORE_INVALID_RECORD" });
    });

    it("closes idempotently; calls after close reject with STORE_CLOSED", async () => {
      const store = await PostgresStatusStore.open(schemas.url());
      await Promise.all([store.close(), store.close()]);
      await store.close();
      expect(await rejection(store.get("x"))).toMatchObject({ code: "STORE_CLOSED" });
      expect(await rejection(store.enqueued([]))).toMatchObject({ code: "STORE_CLOSED" });
    });
  });
});
