import { describe, expect, it } from "vitest";
import { isDrainRequested } from "../../../src/scaler/drain-request.ts";
import type { PolicyInput } from "../../../src/scaler/policy/scaling-policy.ts";
import { Scaler } from "../../../src/scaler/scaler.ts";
import type { ScalerOptions } from "../../../src/scaler/scaler-options.ts";
import { MemoryStatusStore } from "../../../src/status/memory/memory-status-store.ts";
import type { StatusStore, WorkerRecord } from "../../../src/status/status-store.ts";
import type { QueueStats } from "../../../src/transport/transport.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import { scriptedPolicy, type ScriptedMemory } from "./support/scripted-policy.ts";

const START = Date.UTC(2026, 11, 3, 12);

function harness(overrides: Partial<ScalerOptions> = {}) {
  let now = START;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const store = (overrides.store as MemoryStatusStore | undefined) ?? new MemoryStatusStore();
  const fleet = new FakeFleet(clock.now);
  let desired = 0;
  const inputs: PolicyInput[] = [];
  let stats: QueueStats = { visible: 0, inFlight: 0, delayed: 0, oldestAgeMs: undefined, deadLettered: undefined };
  const make = (extra: Partial<ScalerOptions> = {}): Scaler =>
    new Scaler({
      store,
      transport: { queue: "jobs", stats: () => Promise.resolve(stats) },
      fleet,
      policy: scriptedPolicy(() => desired, inputs),
      now: clock.now,
      retention: false,
      ...overrides,
      ...extra,
    });
  return {
    clock,
    store,
    fleet,
    inputs,
    make,
    want: (count: number) => (desired = count),
    queue: (next: Partial<QueueStats>) => (stats = { ...stats, ...next }),
  };
}

function heartbeat(store: StatusStore, instanceId: string, at: number, fields: Partial<WorkerRecord> = {}) {
  return store.heartbeat({
    workerId: `w-${instanceId}`,
    instanceId,
    host: "test",
    pid: 1,
    status: "running",
    queues: ["jobs"],
    startedAt: at,
    lastSeenAt: at,
    inFlight: 0,
    processed: 0,
    failed: 0,
    ...fields,
  });
}

describe("Scaler", () => {
  it("launches what the policy wants, recording the decision and the launch before acting", async () => {
    const { make, want, fleet, store } = harness();
    const scaler = make({ scalerId: "a" });
    want(3);
    const report = await scaler.tick();
    expect(report.leader).toBe(true);
    expect(report.launched).toHaveLength(3);
    const [launch] = fleet.callsOf("launch");
    expect(launch?.count).toBe(3);
    const events = await store.scalerEvents({ lease: "scaler:jobs" });
    expect(events.map((event) => event.kind)).toEqual(["launch", "decision", "leader"]);
    expect(launch?.action).toEqual({ id: events[0]?.id, fencingToken: events[0]?.fencingToken });
    expect(events[1]).toMatchObject({ desired: 3, reason: "scripted 3", memory: JSON.stringify({ evaluations: 1 }) });
  });

  it("counts booting instances, so a repeated decision launches nothing more", async () => {
    const { make, want, fleet, clock } = harness();
    const scaler = make();
    want(2);
    await scaler.tick();
    clock.advance(10_000);
    const second = await scaler.tick();
    expect(second.decision?.desired).toBe(2);
    expect(second.launched).toEqual([]);
    expect(fleet.callsOf("launch")).toHaveLength(1);
  });

  it("runs overlapping tick() calls one after the other, so they do not launch twice", async () => {
    const { make, want, fleet } = harness();
    const scaler = make();
    want(3);
    const [first, second] = await Promise.all([scaler.tick(), scaler.tick()]);
    expect(first.launched).toHaveLength(3);
    expect(second.launched).toEqual([]);
    expect(fleet.instances.size).toBe(3);
  });

  it("only the lease holder acts; the others stay followers", async () => {
    const { make, want, fleet } = harness();
    const a = make({ scalerId: "a" });
    const b = make({ scalerId: "b" });
    want(1);
    expect((await a.tick()).leader).toBe(true);
    expect((await b.tick()).leader).toBe(false);
    expect(fleet.callsOf("launch")).toHaveLength(1);
  });

  it("drains idle instances first and terminates them only once their workers stopped", async () => {
    const { make, want, fleet, store, clock } = harness();
    fleet.add("idle-1", START - 600_000);
    fleet.add("busy", START - 900_000);
    fleet.add("idle-2", START - 300_000);
    await heartbeat(store, "idle-1", START);
    await heartbeat(store, "busy", START, { inFlight: 2 });
    await heartbeat(store, "idle-2", START);
    want(1);
    const scaler = make();
    const report = await scaler.tick();
    expect(report.draining).toEqual(["idle-1", "idle-2"]);
    expect(await isDrainRequested(store, "idle-1", clock.now())).toBe(true);
    expect(await isDrainRequested(store, "busy", clock.now())).toBe(false);

    clock.advance(5_000);
    await heartbeat(store, "idle-1", clock.now(), { status: "stopped" });
    await heartbeat(store, "idle-2", clock.now(), { status: "draining" });
    const next = await scaler.tick();
    expect(next.terminated).toEqual(["idle-1"]);
    expect(fleet.callsOf("terminate").flatMap((call) => call.ids)).toEqual(["idle-1"]);
    expect(await isDrainRequested(store, "idle-1", clock.now())).toBe(false);
    // Still draining: the fleet is told again (lifecycle heartbeats), nothing is killed.
    expect(fleet.callsOf("drain").at(-1)?.ids).toEqual(["idle-2"]);
    expect(fleet.instances.has("busy")).toBe(true);
  });

  it("notes a draining instance that left the fleet on its own (its process exited) and withdraws the request", async () => {
    const { make, want, fleet, store, clock } = harness();
    fleet.add("leaving", START - 600_000);
    await heartbeat(store, "leaving", START);
    want(0);
    const scaler = make();
    expect((await scaler.tick()).draining).toEqual(["leaving"]);
    fleet.instances.delete("leaving");
    clock.advance(5_000);
    expect((await scaler.tick()).terminated).toEqual(["leaving"]);
    expect(await isDrainRequested(store, "leaving", clock.now())).toBe(false);
    const [event] = await store.scalerEvents({ kinds: ["terminate"] });
    expect(event).toMatchObject({
      instanceIds: ["leaving"],
      reason: "left the fleet after draining (its workers stopped)",
    });
    expect(fleet.callsOf("terminate")).toEqual([]);
  });

  it("terminates a draining instance whose workers never stop only after the drain timeout", async () => {
    const { make, want, fleet, store, clock } = harness();
    fleet.add("stuck", START - 600_000);
    await heartbeat(store, "stuck", START, { inFlight: 1 });
    want(0);
    const scaler = make({ drainTimeoutMs: 60_000 });
    await scaler.tick();
    clock.advance(30_000);
    await heartbeat(store, "stuck", clock.now(), { status: "draining", inFlight: 1 });
    expect((await scaler.tick()).terminated).toEqual([]);
    clock.advance(31_000);
    await heartbeat(store, "stuck", clock.now(), { status: "draining", inFlight: 1 });
    expect((await scaler.tick()).terminated).toEqual(["stuck"]);
    const [terminate] = await store.scalerEvents({ kinds: ["terminate"] });
    expect(terminate?.reason).toContain("still busy after the drain timeout");
  });

  it("a deposed leader paused mid-tick records nothing and launches nothing", async () => {
    const { make, want, fleet, clock, store } = harness();
    const a = make({ scalerId: "a", leaseTtlMs: 20_000 });
    const b = make({ scalerId: "b", leaseTtlMs: 20_000 });
    want(0);
    await a.tick();
    want(4);
    let release!: () => void;
    fleet.listGate = new Promise((resolve) => (release = resolve));
    clock.advance(10_000);
    const paused = a.tick();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // A stays paused past its lease; B takes over and acts.
    clock.advance(25_000);
    fleet.listGate = undefined;
    const bTick = await b.tick();
    expect(bTick.leader).toBe(true);
    expect(bTick.launched).toHaveLength(4);
    release();
    const aTick = await paused;
    expect(aTick.leader).toBe(false);
    expect(aTick.launched).toEqual([]);
    expect(fleet.callsOf("launch")).toHaveLength(1);
    const fromA = (await store.scalerEvents()).filter((event) => event.scalerId === "a");
    expect(fromA.map((event) => event.kind)).toEqual(["decision", "leader"]);
  });

  it("a new leader continues from the policy memory of the last decision", async () => {
    const { make, want, clock, inputs } = harness();
    const a = make({ scalerId: "a" });
    want(0);
    await a.tick();
    clock.advance(10_000);
    await a.tick();
    await a.stop();
    const b = make({ scalerId: "b" });
    const policy = scriptedPolicy(() => 0, inputs);
    let seen: unknown;
    const c = make({
      scalerId: "c",
      policy: {
        ...policy,
        decide: (input, memory) => ((seen = memory), policy.decide(input, memory as ScriptedMemory)),
      },
    });
    expect((await c.tick()).leader).toBe(true);
    expect(seen).toEqual({ evaluations: 2 });
    expect((await b.tick()).leader).toBe(false);
  });

  it("feeds the policy the queue, the fleet's phases and service times learned from the store", async () => {
    const { make, want, store, clock, inputs, queue, fleet } = harness();
    fleet.add("up", START - 600_000);
    fleet.add("new", START - 1_000, "booting");
    await heartbeat(store, "up", START);
    queue({ visible: 35, inFlight: 4, oldestAgeMs: 90_000 });
    want(2);
    const scaler = make({ concurrencyPerInstance: 4, bootDelayMs: 45_000 });
    await scaler.tick();
    await store.enqueued([{ id: "job-1", service: "S", method: "m", enqueuedAt: clock.now() }]);
    await store.transition({ id: "job-1", to: "running", attempt: 1, at: clock.now() + 1000 });
    await store.transition({ id: "job-1", to: "succeeded", attempt: 1, at: clock.now() + 9_000 });
    clock.advance(10_000);
    await heartbeat(store, "up", clock.now());
    await scaler.tick();
    expect(inputs[0]).toMatchObject({
      queue: { visible: 35, inFlight: 4, delayed: 0, oldestAgeMs: 90_000 },
      fleet: { booting: 1, running: 1, draining: 0 },
      concurrencyPerInstance: 4,
      bootDelayMs: 45_000,
      completedSinceLast: 0,
    });
    expect(inputs[1]).toMatchObject({ completedSinceLast: 1, serviceTimesMs: [8_000] });
  });

  it("recovers an instance whose heartbeat went stale, once per boot timeout", async () => {
    const { make, want, store, fleet, clock } = harness();
    fleet.add("sick", START - 600_000);
    fleet.add("never", START - 700_000, "booting");
    await heartbeat(store, "sick", START - 120_000);
    want(2);
    const scaler = make({ staleAfterMs: 60_000, bootTimeoutMs: 600_000 });
    const report = await scaler.tick();
    expect([...report.recovered].sort()).toEqual(["never", "sick"]);
    clock.advance(5_000);
    expect((await scaler.tick()).recovered).toEqual([]);
    const events = await store.scalerEvents({ kinds: ["recover"] });
    expect(events.map((event) => event.reason).sort()).toEqual([
      "unhealthy: last heartbeat 120 s ago",
      "unhealthy: no heartbeat 700 s after launch",
    ]);
  });

  it("scrubs old records on its schedule and records what it removed", async () => {
    const store = new MemoryStatusStore();
    const { make, clock } = harness({ store });
    await heartbeat(store, "gone", START - 3 * 86_400_000);
    const scaler = make({ retention: { workersMs: 86_400_000, everyMs: 3_600_000 } });
    await scaler.tick();
    expect(await store.workers()).toEqual([]);
    clock.advance(5_000);
    await scaler.tick();
    const scrubs = await store.scalerEvents({ kinds: ["scrub"] });
    expect(scrubs).toHaveLength(1);
    expect(scrubs[0]?.reason).toBe("removed 0 jobs, 1 workers, 0 scaler events");
  });

  it("rejects bad options, naming each", () => {
    const { make } = harness();
    expect(() => make({ leaseTtlMs: 0, concurrencyPerInstance: -1, tickIntervalMs: 30_000 })).toThrow(
      /concurrencyPerInstance must be > 0; leaseTtlMs must be > 0.*tickIntervalMs/,
    );
  });
});
