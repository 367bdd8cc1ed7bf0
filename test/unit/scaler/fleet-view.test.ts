import { describe, expect, it } from "vitest";
import { chooseScaleInVictims, countPhases, viewFleet } from "../../../src/scaler/fleet-view.ts";
import type { WorkerRecord } from "../../../src/status/status-store.ts";

const NOW = 1_000_000_000;
const health = { staleAfterMs: 60_000, bootTimeoutMs: 600_000 };

function worker(instanceId: string, fields: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    workerId: `w-${instanceId}-${fields.pid ?? 1}`,
    instanceId,
    host: "h",
    pid: 1,
    status: "running",
    queues: ["q"],
    startedAt: NOW - 100_000,
    lastSeenAt: NOW - 1000,
    inFlight: 0,
    processed: 0,
    failed: 0,
    ...fields,
  };
}

describe("viewFleet", () => {
  it("is booting until a worker of the instance beats after the launch, then running", () => {
    const view = viewFleet(
      [
        { id: "a", phase: "running", launchedAt: NOW - 30_000 },
        { id: "b", phase: "running", launchedAt: NOW - 30_000 },
        // An old heartbeat of an instance id reused by a relaunch does not count.
        { id: "c", phase: "running", launchedAt: NOW - 500 },
      ],
      [worker("b", { inFlight: 2 }), worker("b", { pid: 2, inFlight: 1 }), worker("c")],
      new Set(),
      NOW,
      health,
    );
    expect(view.map((instance) => [instance.id, instance.phase, instance.inFlight])).toEqual([
      ["a", "booting", 0],
      ["b", "running", 3],
      ["c", "booting", 0],
    ]);
    expect(countPhases(view)).toEqual({ booting: 2, running: 1, draining: 0 });
  });

  it("is draining when asked to (by the scaler or the fleet), drained once no live worker is left", () => {
    const view = viewFleet(
      [
        { id: "asked", phase: "running", launchedAt: NOW - 90_000 },
        { id: "asg", phase: "draining", launchedAt: NOW - 90_000 },
        { id: "stopped", phase: "running", launchedAt: NOW - 90_000 },
      ],
      [worker("asked", { status: "draining", inFlight: 1 }), worker("asg"), worker("stopped", { status: "stopped" })],
      new Set(["asked", "stopped"]),
      NOW,
      health,
    );
    expect(view.map((instance) => [instance.id, instance.phase, instance.drained])).toEqual([
      ["asked", "draining", false],
      ["asg", "draining", false],
      ["stopped", "draining", true],
    ]);
  });

  it("finds stale heartbeats and instances that never reported, not new ones", () => {
    const view = viewFleet(
      [
        { id: "stale", phase: "running", launchedAt: NOW - 900_000 },
        { id: "silent", phase: "running", launchedAt: NOW - 601_000 },
        { id: "new", phase: "running", launchedAt: NOW - 10_000 },
      ],
      [worker("stale", { lastSeenAt: NOW - 61_000, startedAt: NOW - 800_000 })],
      new Set(),
      NOW,
      health,
    );
    expect(view.map((instance) => instance.unhealthy)).toEqual([
      "last heartbeat 61 s ago",
      "no heartbeat 601 s after launch",
      undefined,
    ]);
  });
});

describe("chooseScaleInVictims", () => {
  it("takes booting instances first, then the least busy, oldest first, never leaving ones", () => {
    const view = viewFleet(
      [
        { id: "busy", phase: "running", launchedAt: NOW - 500_000 },
        { id: "idle-new", phase: "running", launchedAt: NOW - 100_000 },
        { id: "idle-old", phase: "running", launchedAt: NOW - 400_000 },
        { id: "booting", phase: "booting", launchedAt: NOW - 5_000 },
        { id: "leaving", phase: "draining", launchedAt: NOW - 900_000 },
      ],
      [worker("busy", { inFlight: 3 }), worker("idle-new"), worker("idle-old"), worker("leaving")],
      new Set(),
      NOW,
      health,
    );
    expect(chooseScaleInVictims(view, 3).map((instance) => instance.id)).toEqual(["booting", "idle-old", "idle-new"]);
    expect(chooseScaleInVictims(view, 9).map((instance) => instance.id)).toEqual([
      "booting",
      "idle-old",
      "idle-new",
      "busy",
    ]);
    expect(chooseScaleInVictims(view, 0)).toEqual([]);
  });
});
