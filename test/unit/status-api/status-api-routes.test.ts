/** The status API's routes against the memory store: what each answers, filters, pages and counts. */
import { describe, expect, it } from "vitest";
import { JOB_STATES, MemoryTransport, type StatusStore } from "thrift-queue";
import { freshStore, request, serve, succeededJob } from "./api-harness.ts";

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

describe("GET /v1/jobs/:id", () => {
  it("answers the record as JSON: RFC 3339 times, the result as base64, unknown fields null", async () => {
    const store = freshStore();
    await succeededJob(store, "job-1", T0);
    await store.enqueued([{ id: "job-2", service: "Thumbnails", method: "render", enqueuedAt: T0 }]);
    const server = await serve({ store });

    const done = await request(server, "/v1/jobs/job-1");
    expect(done.status).toBe(200);
    expect(done.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(done.body).toEqual({
      id: "job-1",
      service: "Thumbnails",
      method: "render",
      state: "succeeded",
      attempt: 1,
      progress: 50,
      progressMessage: "half way",
      workerId: "worker-1",
      queue: "thumbnails",
      enqueuedAt: "2026-01-02T03:04:05.000Z",
      startedAt: "2026-01-02T03:04:06.000Z",
      updatedAt: "2026-01-02T03:04:07.000Z",
      finishedAt: "2026-01-02T03:04:07.000Z",
      error: null,
      result: Buffer.from([0x0b, 0x00, 0x00, 0x00]).toString("base64"),
    });

    const queued = await request(server, "/v1/jobs/job-2");
    expect(queued.body).toMatchObject({ state: "queued", attempt: 0, progress: null, workerId: null, result: null });
  });

  it("records a failure's type and message", async () => {
    const store = freshStore();
    await store.transition({
      id: "f",
      to: "running",
      attempt: 1,
      at: T0,
      create: { service: "S", method: "m" },
      workerId: "w",
    });
    await store.transition({
      id: "f",
      to: "failed",
      attempt: 1,
      at: T0 + 1,
      error: { type: "TypeError", message: "x" },
    });
    const server = await serve({ store });
    expect((await request(server, "/v1/jobs/f")).body).toMatchObject({
      state: "failed",
      error: { type: "TypeError", message: "x" },
    });
  });

  it("answers 404 with an error object for an unknown id", async () => {
    const server = await serve({ store: freshStore() });
    const response = await request(server, "/v1/jobs/nope");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.body).toEqual({ error: { code: "API_JOB_NOT_FOUND", message: 'no job "nope"' } });
  });

  it("decodes percent-encoded ids, slashes and unicode included", async () => {
    const store = freshStore();
    const id = "a/b ?#%&é\u0000";
    await store.enqueued([{ id, service: "S", method: "m", enqueuedAt: T0 }]);
    const server = await serve({ store });
    const response = await request(server, `/v1/jobs/${encodeURIComponent(id)}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id });
  });

  it("answers HEAD like GET without a body", async () => {
    const store = freshStore();
    await succeededJob(store, "job-1", T0);
    const server = await serve({ store });
    const response = await request(server, "/v1/jobs/job-1", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.body).toBeUndefined();
    expect(Number(response.headers.get("content-length"))).toBeGreaterThan(100);
  });
});

/** Seeds `count` queued jobs with ids `job-000`…, alternating two services, updated one second apart. */
async function seedJobs(store: StatusStore, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, index) => `job-${String(index).padStart(3, "0")}`);
  await store.enqueued(
    ids.map((id, index) => ({
      id,
      service: index % 2 === 0 ? "Even" : "Odd",
      method: index % 3 === 0 ? "three" : "other",
      enqueuedAt: T0 + index * 1000,
    })),
  );
  return ids;
}

describe("GET /v1/jobs", () => {
  it("pages through every record exactly once, newest id first, nextCursor null at the end", async () => {
    const store = freshStore();
    const ids = await seedJobs(store, 53);
    const server = await serve({ store });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
      const response = await request(server, `/v1/jobs?limit=7${query}`);
      expect(response.status).toBe(200);
      const page = response.body as { jobs: { id: string }[]; nextCursor: string | null };
      expect(page.jobs.length).toBe(pages < 7 ? 7 : 4);
      seen.push(...page.jobs.map((job) => job.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 20);
    expect(pages).toBe(8);
    expect(seen).toEqual([...ids].reverse());
  });

  it("filters by state, service, method and since (RFC 3339 or ms)", async () => {
    const store = freshStore();
    await seedJobs(store, 12);
    await store.transition({ id: "job-004", to: "running", attempt: 1, at: T0 + 100_000 });
    const server = await serve({ store });
    const ids = async (query: string): Promise<string[]> => {
      const response = await request(server, `/v1/jobs?${query}`);
      expect(response.status).toBe(200);
      return (response.body as { jobs: { id: string }[] }).jobs.map((job) => job.id);
    };
    expect(await ids("state=running")).toEqual(["job-004"]);
    expect(await ids("service=Odd&method=three")).toEqual(["job-009", "job-003"]);
    expect(await ids(`since=${T0 + 10_000}`)).toEqual(["job-011", "job-010", "job-004"]);
    expect(await ids("since=2026-01-02T03:04:15Z")).toEqual(["job-011", "job-010", "job-004"]);
    expect(await ids("since=2026-01-02T04:04:15.000%2B01:00")).toEqual(["job-011", "job-010", "job-004"]);
    expect(await ids("since=2026-01-02T03:04:14.000000001Z")).toEqual(["job-011", "job-010", "job-004"]);
    expect(await ids("state=succeeded")).toEqual([]);
  });

  it("uses the store's default page size of 100", async () => {
    const store = freshStore();
    await seedJobs(store, 101);
    const server = await serve({ store });
    const page = (await request(server, "/v1/jobs")).body as { jobs: unknown[]; nextCursor: string | null };
    expect(page.jobs).toHaveLength(100);
    expect(page.nextCursor).toEqual(expect.any(String));
  });
});

describe("GET /v1/counts", () => {
  it("counts every state, with a total, optionally for one service or method", async () => {
    const store = freshStore();
    await seedJobs(store, 6);
    await store.transition({ id: "job-001", to: "running", attempt: 1, at: T0 });
    const server = await serve({ store });
    const all = await request(server, "/v1/counts");
    expect(all.status).toBe(200);
    const zero = Object.fromEntries(JOB_STATES.map((state) => [state, 0]));
    expect(all.body).toEqual({ counts: { ...zero, queued: 5, running: 1 }, total: 6 });
    const odd = await request(server, "/v1/counts?service=Odd");
    expect(odd.body).toEqual({ counts: { ...zero, queued: 2, running: 1 }, total: 3 });
    const three = await request(server, "/v1/counts?service=Even&method=three");
    expect(three.body).toEqual({ counts: { ...zero, queued: 1 }, total: 1 });
  });
});

describe("GET /v1/workers", () => {
  it("lists workers with healthy and stale derived from the last heartbeat", async () => {
    const store = freshStore();
    const now = T0 + 60_000;
    const worker = {
      instanceId: "i-1",
      host: "box",
      pid: 42,
      queues: ["thumbnails"],
      startedAt: T0,
      inFlight: 1,
      processed: 10,
      failed: 2,
    };
    await store.heartbeat({ ...worker, workerId: "fresh", status: "running", lastSeenAt: now - 1000 });
    await store.heartbeat({ ...worker, workerId: "old", status: "running", lastSeenAt: now - 20_000 });
    await store.heartbeat({ ...worker, workerId: "stopped", status: "stopped", lastSeenAt: now - 500 });
    const server = await serve({ store, now: () => now, staleAfterMs: 15_000 });
    const response = await request(server, "/v1/workers");
    expect(response.status).toBe(200);
    const workers = (response.body as { workers: Record<string, unknown>[] }).workers;
    expect(workers.map((entry) => [entry.workerId, entry.healthy, entry.stale, entry.lastSeenAgoMs])).toEqual([
      ["stopped", false, false, 500],
      ["fresh", true, false, 1000],
      ["old", false, true, 20_000],
    ]);
    expect(workers[1]).toEqual({
      ...worker,
      workerId: "fresh",
      status: "running",
      startedAt: "2026-01-02T03:04:05.000Z",
      lastSeenAt: "2026-01-02T03:05:04.000Z",
      lastSeenAgoMs: 1000,
      stale: false,
      healthy: true,
    });
  });
});

describe("GET /v1/queues", () => {
  it("reports each transport's kind, queue, capabilities and depth", async () => {
    const transport = new MemoryTransport({ queue: `api-queues-${T0}-${Math.random()}` });
    try {
      await transport.send([{ id: "m1", metadata: {}, payload: new Uint8Array([1]) }]);
      await transport.send([{ id: "m2", metadata: {}, payload: new Uint8Array([1]), delayMs: 60_000 }]);
      const server = await serve({ store: freshStore(), transports: [transport] });
      const response = await request(server, "/v1/queues");
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        queues: [
          {
            kind: "memory",
            queue: transport.queue,
            capabilities: { ...transport.capabilities },
            stats: { visible: 1, inFlight: 0, delayed: 1, oldestAgeMs: expect.any(Number) as unknown, deadLettered: 0 },
            error: null,
          },
        ],
      });
    } finally {
      await transport.close({ drainTimeoutMs: 0 });
    }
  });

  it("answers an empty list without transports", async () => {
    const server = await serve({ store: freshStore() });
    expect((await request(server, "/v1/queues")).body).toEqual({ queues: [] });
  });
});

describe("GET /healthz", () => {
  it("answers 200 ok with the store's kind", async () => {
    const server = await serve({ store: freshStore() });
    const response = await request(server, "/healthz");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true, store: "memory" });
  });
});

describe("mounted routes", () => {
  it("answer beside the built-in ones, with their parameters and status", async () => {
    const server = await serve({
      store: freshStore(),
      routes: [
        {
          path: "/v1/scaler",
          handle: ({ store, query }) => Promise.resolve({ body: { kind: store.kind, fleet: query.get("fleet") } }),
        },
        {
          path: "/v1/things/:name",
          handle: ({ params }) => Promise.resolve({ status: 202, body: { name: params.name } }),
        },
      ],
    });
    expect(await request(server, "/v1/scaler?fleet=a")).toMatchObject({
      status: 200,
      body: { kind: "memory", fleet: "a" },
    });
    expect(await request(server, "/v1/things/x%20y")).toMatchObject({ status: 202, body: { name: "x y" } });
  });
});
