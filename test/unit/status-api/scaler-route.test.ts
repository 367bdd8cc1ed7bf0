/** `GET /v1/scaler` through the status API over a memory store: leases, the last decision, event pages, 400s, 503s. */
import { describe, expect, it } from "vitest";
import { StatusStoreError, type ScalerEvent, type StatusStore } from "thrift-queue";
import { scalerRoute, type ScalerJson, type ScalerRouteOptions } from "../../../src/scaler/scaler-route.ts";
import { freshStore, never, request, serve, storeWith } from "./api-harness.ts";

const T0 = 1_767_323_045_000;
const FLEET = "scaler:grep-workers";

async function api(store: StatusStore, options?: ScalerRouteOptions, now = T0 + 500) {
  return serve({ store, routes: [scalerRoute(store, options)], now: () => now });
}

async function scaler(server: Awaited<ReturnType<typeof api>>, query = ""): Promise<ScalerJson> {
  const response = await request(server, `/v1/scaler${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as ScalerJson;
}

function event(serial: number, extra: Partial<ScalerEvent> = {}): ScalerEvent {
  return {
    id: `ev-${String(serial).padStart(3, "0")}`,
    lease: FLEET,
    scalerId: "scaler-a",
    fencingToken: 1,
    kind: "decision",
    at: T0 + serial,
    reason: `reason ${serial}`,
    ...extra,
  };
}

/** A store where `scaler-a` holds FLEET until T0 + 1000 and recorded `events`. */
async function seeded(events: readonly ScalerEvent[]): Promise<StatusStore> {
  const store = freshStore();
  await store.acquireLease({ name: FLEET, holder: "scaler-a", ttlMs: 1000, now: T0 });
  await store.acquireLease({ name: "scaler:other", holder: "scaler-b", ttlMs: 1000, now: T0 - 5000 });
  for (const recorded of events) expect(await store.recordScalerEvent(recorded)).toBe(true);
  return store;
}

describe("GET /v1/scaler", () => {
  it("answers an empty store with no leases, no decision and no events", async () => {
    expect(await scaler(await api(freshStore()))).toEqual({
      leases: [],
      lastDecision: null,
      events: [],
      nextBefore: null,
    });
  });

  it("shows the leases named in its options, taken or not", async () => {
    const store = await seeded([]);
    const body = await scaler(await api(store, { leases: [FLEET, "scaler:never", "scaler:other"] }));
    expect(body.leases).toEqual([
      { name: FLEET, holder: "scaler-a", token: 1, expiresAt: "2026-01-02T03:04:06.000Z", held: true },
      { name: "scaler:never", holder: null, token: null, expiresAt: null, held: false },
      { name: "scaler:other", holder: "scaler-b", token: 1, expiresAt: "2026-01-02T03:04:01.000Z", held: false },
    ]);
  });

  it("renders events newest first with RFC 3339 times, the last decision with its memory, and their leases", async () => {
    const memory = JSON.stringify({ arrivalRate: 2.5, serviceTimeMs: 1200 });
    const store = await seeded([
      event(1, { desired: 2, memory: '{"old":true}' }),
      event(2, { kind: "launch", reason: "scale out", instanceIds: ["i-1", "i-2"] }),
      event(3, { desired: 4, memory }),
      event(4, { kind: "drain", instanceIds: ["i-1"] }),
    ]);
    const body = await scaler(await api(store, {}, T0 + 2000));
    expect(body.events.map((recorded) => recorded.id)).toEqual(["ev-004", "ev-003", "ev-002", "ev-001"]);
    expect(body.events[2]).toEqual({
      id: "ev-002",
      lease: FLEET,
      scalerId: "scaler-a",
      fencingToken: 1,
      kind: "launch",
      at: "2026-01-02T03:04:05.002Z",
      reason: "scale out",
      desired: null,
      instanceIds: ["i-1", "i-2"],
    });
    expect(body.events[1]).not.toHaveProperty("memory");
    expect(body.lastDecision).toEqual({
      id: "ev-003",
      lease: FLEET,
      scalerId: "scaler-a",
      fencingToken: 1,
      kind: "decision",
      at: "2026-01-02T03:04:05.003Z",
      reason: "reason 3",
      desired: 4,
      instanceIds: null,
      memory,
    });
    // The lease lapsed at T0 + 1000; the API's clock says T0 + 2000.
    expect(body.leases).toEqual([
      { name: FLEET, holder: "scaler-a", token: 1, expiresAt: "2026-01-02T03:04:06.000Z", held: false },
    ]);
    expect(body.nextBefore).toBeNull();
  });

  it("pages back in time with nextBefore, visiting every event once", async () => {
    const store = await seeded(Array.from({ length: 7 }, (_, i) => event(i)));
    const server = await api(store);
    const seen: string[] = [];
    let query = "?limit=3";
    for (let pages = 0; pages < 5; pages += 1) {
      const body = await scaler(server, query);
      seen.push(...body.events.map((recorded) => recorded.id));
      if (body.nextBefore === null) break;
      query = `?limit=3&before=${encodeURIComponent(body.nextBefore)}`;
    }
    expect(seen).toEqual(["ev-006", "ev-005", "ev-004", "ev-003", "ev-002", "ev-001", "ev-000"]);
    expect((await scaler(server, "?limit=7")).nextBefore).toBeNull();
    expect((await scaler(server, "?limit=6")).nextBefore).toBe("ev-001");
  });

  it("filters by lease and kinds, keeping the last decision of the lease", async () => {
    const store = await seeded([
      event(1),
      event(2, { kind: "launch" }),
      event(3, { kind: "terminate", lease: "scaler:other", scalerId: "scaler-b" }),
      event(4, { kind: "error" }),
      event(5, { lease: "scaler:other", scalerId: "scaler-b" }),
    ]);
    const server = await api(store);
    const kinds = await scaler(server, "?kind=launch,terminate");
    expect(kinds.events.map((recorded) => recorded.id)).toEqual(["ev-003", "ev-002"]);
    expect(kinds.lastDecision?.id).toBe("ev-005");
    expect(kinds.leases.map((lease) => lease.name)).toEqual(["scaler:other", FLEET]);
    const fleet = await scaler(server, `?lease=${encodeURIComponent(FLEET)}`);
    expect(fleet.events.map((recorded) => recorded.id)).toEqual(["ev-004", "ev-002", "ev-001"]);
    expect(fleet.lastDecision?.id).toBe("ev-001");
    expect(fleet.leases).toMatchObject([{ name: FLEET, holder: "scaler-a", held: true }]);
    const older = await scaler(server, `?lease=${encodeURIComponent(FLEET)}&kind=error&before=ev-004`);
    expect(older.events).toEqual([]);
    expect(older.leases.map((lease) => lease.name)).toEqual([FLEET]);
  });

  const bad: ReadonlyArray<readonly [string, RegExp]> = [
    ["?limit=0", /^limit must be a whole number from 1 to 1000, got "0"$/],
    ["?limit=1001", /^limit /],
    ["?limit=ten", /^limit /],
    ["?kind=nap", /^kind must be one or more of decision, launch, .* got "nap"$/],
    ["?kind=launch,", /^kind must be one or more of /],
    ["?lease=", /^lease must not be empty$/],
    [`?lease=${"l".repeat(201)}`, /^lease is longer than 200 characters$/],
    [`?before=${"b".repeat(65)}`, /^before is longer than 64 characters$/],
    ["?before=", /^before must not be empty$/],
    ["?cursor=x", /^unknown parameter "cursor"; use lease, kind, before, limit$/],
    ["?kind=launch&kind=drain", /^parameter kind is given more than once$/],
  ];
  it.each(bad)("answers 400 naming the parameter for %s", async (query, message) => {
    const response = await request(await api(freshStore()), `/v1/scaler${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { code: "API_INVALID_PARAMETER", message: expect.stringMatching(message) as unknown },
    });
  });

  it("answers 503 when the store is unavailable or does not answer in time", async () => {
    const unavailable = storeWith(freshStore(), {
      scalerEvents: () => Promise.reject(new StatusStoreError("STORE_UNAVAILABLE", "down", { retryable: true })),
    });
    const down = await request(await api(unavailable), "/v1/scaler");
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect(down.body).toEqual({ error: { code: "STORE_UNAVAILABLE", message: "the status store is unavailable" } });
    const hung = storeWith(freshStore(), { scalerEvents: () => never() });
    const late = await request(await api(hung, { storeTimeoutMs: 50 }), "/v1/scaler");
    expect(late.status).toBe(503);
  });

  it("refuses bad options with one ConfigError naming each", () => {
    expect(() => scalerRoute(freshStore(), { leases: [""], storeTimeoutMs: 0 })).toThrow(
      /invalid scaler route options: leases must be .*; storeTimeoutMs must be a whole number ≥ 1, got 0/,
    );
  });
});
