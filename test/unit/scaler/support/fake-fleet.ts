/** A fleet kept in memory for scaler tests: records every call, launches instances as `booting`. */
import type { Fleet, FleetAction, FleetInstance, InstancePhase } from "../../../../src/scaler/fleet/fleet.ts";

/** One call the fake fleet received. */
export interface FleetCall {
  readonly method: "launch" | "drain" | "terminate" | "recover" | "protect";
  readonly ids: readonly string[];
  readonly count?: number;
  readonly action: FleetAction;
}

/** A fleet in memory. */
export class FakeFleet implements Fleet {
  readonly kind = "fake";
  readonly calls: FleetCall[] = [];
  readonly instances = new Map<string, { id: string; phase: InstancePhase; launchedAt: number }>();
  private readonly now: () => number;
  private sequence = 0;
  /** When set, `list()` waits for it (to pause a leader mid-tick). */
  listGate: Promise<void> | undefined;

  constructor(now: () => number) {
    this.now = now;
  }

  /** Adds an instance as if launched at `launchedAt`. */
  add(id: string, launchedAt: number, phase: InstancePhase = "running"): void {
    this.instances.set(id, { id, phase, launchedAt });
  }

  async list(): Promise<readonly FleetInstance[]> {
    if (this.listGate) await this.listGate;
    return [...this.instances.values()].map((instance) => ({ ...instance }));
  }

  launch(count: number, action: FleetAction): Promise<readonly FleetInstance[]> {
    const launched: FleetInstance[] = [];
    for (let index = 0; index < count; index++) {
      const id = `i-${++this.sequence}`;
      const instance = { id, phase: "booting" as const, launchedAt: this.now() };
      this.instances.set(id, instance);
      launched.push(instance);
    }
    this.calls.push({ method: "launch", ids: launched.map((instance) => instance.id), count, action });
    return Promise.resolve(launched);
  }

  drain(instanceIds: readonly string[], action: FleetAction): Promise<void> {
    this.calls.push({ method: "drain", ids: instanceIds, action });
    return Promise.resolve();
  }

  terminate(instanceIds: readonly string[], action: FleetAction): Promise<void> {
    for (const id of instanceIds) this.instances.delete(id);
    this.calls.push({ method: "terminate", ids: instanceIds, action });
    return Promise.resolve();
  }

  recover(instanceId: string, action: FleetAction): Promise<void> {
    this.calls.push({ method: "recover", ids: [instanceId], action });
    return Promise.resolve();
  }

  async close(): Promise<void> {}

  /** The calls of one method. */
  callsOf(method: FleetCall["method"]): FleetCall[] {
    return this.calls.filter((call) => call.method === method);
  }
}
