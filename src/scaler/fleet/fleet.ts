/**
 * The contract of a worker fleet: the machines (or local processes) that run workers, as the scaler sees them.
 * Implementations: `local` (worker processes on this machine), `ec2` (RunInstances from a launch template) and
 * `asg` (an Auto Scaling group). The scaler never kills work: it drains an instance first (its workers stop taking
 * jobs and finish the ones they have) and terminates it only once it is idle.
 *
 * Every mutating call carries an {@link FleetAction}: the fencing token of the leader lease under which the
 * scaler decided it and an action id that is stable across retries, which fleets use as the idempotency key
 * (EC2 ClientToken, the tag that marks which action launched an instance), so a retried or duplicated action never
 * launches twice.
 */

/** The phase of one instance. */
export type InstancePhase = "booting" | "running" | "draining" | "terminating";

/** One instance of the fleet. */
export interface FleetInstance {
  /** The fleet's id: EC2 instance id, local slot id. Workers report it as `instanceId` in their heartbeats. */
  readonly id: string;
  readonly phase: InstancePhase;
  /** When it was launched (Unix ms). */
  readonly launchedAt: number;
  /** Whether the fleet protects it from being removed by anyone else (ASG scale-in protection). */
  readonly protectedFromScaleIn?: boolean;
}

/** The identity of one scaler action. */
export interface FleetAction {
  /** Stable across retries of the same action; at most 64 ASCII letters, digits and `-`. */
  readonly id: string;
  /** The leader lease's fencing token under which the action was decided. */
  readonly fencingToken: number;
}

/** A fleet. Methods reject with a `ScalerError`; `close()` is idempotent. */
export interface Fleet {
  /** `local`, `ec2` or `asg`. */
  readonly kind: string;
  /** Every instance of the fleet that is not gone (terminated instances are left out). */
  list(): Promise<readonly FleetInstance[]>;
  /** Starts `count` instances; idempotent per `action.id`. Returns the instances the action launched. */
  launch(count: number, action: FleetAction): Promise<readonly FleetInstance[]>;
  /**
   * Marks instances as draining in the fleet (ec2: a tag; asg: keeps scale-in protection, and for an instance the
   * group itself is terminating — lifecycle state `Terminating:Wait` — records a lifecycle-action heartbeat; local:
   * bookkeeping). The scaler calls it again on every evaluation while an instance drains, so heartbeats keep a
   * lifecycle hook from timing out. The workers themselves are told through the status store
   * (src/scaler/drain-request.ts). An instance the fleet reports as `draining` that the scaler did not drain (an
   * ASG terminating it) is drained the same way.
   */
  drain(instanceIds: readonly string[], action: FleetAction): Promise<void>;
  /**
   * Terminates instances the scaler found idle and drained (asg: for an instance in `Terminating:Wait`, completes
   * the lifecycle action with CONTINUE). Idempotent: an instance already gone is fine.
   */
  terminate(instanceIds: readonly string[], action: FleetAction): Promise<void>;
  /** Recovers an unhealthy instance: reboot (ec2) or replace (asg, local). */
  recover(instanceId: string, action: FleetAction): Promise<void>;
  /** Tells the fleet which instances are busy (ASG: scale-in protection on while busy). Optional. */
  protect?(busy: ReadonlyMap<string, boolean>, action: FleetAction): Promise<void>;
  close(): Promise<void>;
}
