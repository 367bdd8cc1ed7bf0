/**
 * How the asg fleet reads a group's instances as {@link FleetInstance}s.
 *
 * Phases from lifecycle states: `Pending*` (and a root volume being replaced, which restarts the worker) → booting;
 * `InService` → running, or draining once the scaler drained it through this fleet; `Terminating:Wait` → draining
 * (the group is terminating it and a lifecycle hook holds it, so the scaler drains it first); `Terminating`,
 * `Terminating:Proceed`, `Detaching` → terminating. `Standby` instances count as running (their workers still take
 * jobs; the group just leaves them out of its capacity) but the scaler neither protects nor terminates them. Terminated, detached and warm-pool instances are not listed.
 *
 * Auto Scaling reports no launch time, so `launchedAt` is when this fleet first saw the instance: close to the
 * launch for instances that appear while the scaler runs (it lists every evaluation), the scaler's start for older
 * ones.
 */
import type { Instance, LifecycleState } from "@aws-sdk/client-auto-scaling";
import type { FleetInstance, InstancePhase } from "../fleet.ts";

/** The lifecycle state of an instance a termination lifecycle hook holds. */
export const TERMINATING_WAIT: LifecycleState = "Terminating:Wait";

/** The phase of every lifecycle state; undefined: not part of the fleet any more (or a warm-pool state). */
const PHASES: Readonly<Record<LifecycleState, InstancePhase | undefined>> = {
  Pending: "booting",
  "Pending:Wait": "booting",
  "Pending:Proceed": "booting",
  Quarantined: "booting",
  ReplacingRootVolume: "booting",
  "ReplacingRootVolume:Wait": "booting",
  "ReplacingRootVolume:Proceed": "booting",
  RootVolumeReplaced: "booting",
  InService: "running",
  EnteringStandby: "running",
  Standby: "running",
  "Terminating:Wait": "draining",
  Terminating: "terminating",
  "Terminating:Proceed": "terminating",
  "Terminating:Retained": "terminating",
  Detaching: "terminating",
  Terminated: undefined,
  Detached: undefined,
  "Warmed:Pending": undefined,
  "Warmed:Pending:Wait": undefined,
  "Warmed:Pending:Proceed": undefined,
  "Warmed:Pending:Retained": undefined,
  "Warmed:Terminating": undefined,
  "Warmed:Terminating:Wait": undefined,
  "Warmed:Terminating:Proceed": undefined,
  "Warmed:Terminating:Retained": undefined,
  "Warmed:Terminated": undefined,
  "Warmed:Stopped": undefined,
  "Warmed:Running": undefined,
  "Warmed:Hibernated": undefined,
};

/** The phase of an instance; `drainedHere`: the scaler drained it through this fleet. Undefined: not listed. */
export function asgInstancePhase(state: LifecycleState | undefined, drainedHere: boolean): InstancePhase | undefined {
  if (state === undefined) return "booting";
  const phase = Object.hasOwn(PHASES, state) ? PHASES[state] : "booting";
  return phase === "running" && drainedHere ? "draining" : phase;
}

/**
 * Whether the scaler changes an instance's protection and terminates it itself: only `InService` ones. A Standby
 * instance is outside the group's desired capacity, so terminating it with a decrement would shrink the group by
 * one too many; the operator who put it in Standby takes it out.
 */
export function isInService(state: LifecycleState | undefined): boolean {
  return state === "InService";
}

/**
 * Whether an instance counts toward the group's desired capacity as the scaler sees it: launched or serving, and
 * not standing by or terminating. Instances the group has yet to create are in DesiredCapacity but not here.
 */
export function occupiesCapacity(state: LifecycleState | undefined): boolean {
  if (state === "EnteringStandby" || state === "Standby") return false;
  const phase = asgInstancePhase(state, false);
  return phase === "booting" || phase === "running";
}

/** Remembers when each instance was first seen, standing in for the launch time Auto Scaling does not report. */
export class FirstSeenClock {
  private readonly seen = new Map<string, number>();
  private readonly now: () => number;

  /** `now` is the clock read for an instance seen for the first time. */
  constructor(now: () => number) {
    this.now = now;
  }

  /** The first-seen times of `ids`; forgets instances no longer in the group. */
  observe(ids: readonly string[]): ReadonlyMap<string, number> {
    const current = new Set(ids);
    for (const id of this.seen.keys()) if (!current.has(id)) this.seen.delete(id);
    const at = this.now();
    for (const id of ids) if (!this.seen.has(id)) this.seen.set(id, at);
    return this.seen;
  }
}

/** A group instance as the fleet reports it; undefined when it is no longer part of the fleet. */
export function toAsgFleetInstance(
  instance: Instance,
  drainedHere: boolean,
  launchedAt: number,
): FleetInstance | undefined {
  if (instance.InstanceId === undefined) return undefined;
  const phase = asgInstancePhase(instance.LifecycleState, drainedHere);
  if (phase === undefined) return undefined;
  return {
    id: instance.InstanceId,
    phase,
    launchedAt,
    protectedFromScaleIn: instance.ProtectedFromScaleIn ?? false,
  };
}
