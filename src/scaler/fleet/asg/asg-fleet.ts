/**
 * The `asg` fleet: an EC2 Auto Scaling group whose desired capacity the scaler sets. The group launches and
 * replaces instances; the scaler decides how many and which ones go:
 *
 * - launch: SetDesiredCapacity to the instances occupying capacity + count (capped by MaxSize, cooldown
 *   ignored: the scaler is the policy), idempotent per action id through the {@link LaunchLedger}. Returns no instances: the group starts
 *   them asynchronously and they appear in `list()` as booting.
 * - protect: scale-in protection on while an instance's workers are busy, off when idle, so the group itself can
 *   only ever scale in idle instances.
 * - drain: protection stays on; an instance the group is terminating under a lifecycle hook (`Terminating:Wait`)
 *   gets a heartbeat each evaluation, so the hook does not time out while its jobs finish.
 * - terminate: protection off, then TerminateInstanceInAutoScalingGroup with a decrement (the group does not
 *   replace it); a `Terminating:Wait` instance is released with CompleteLifecycleAction CONTINUE.
 * - recover: SetInstanceHealth Unhealthy (respecting the grace period), and the group replaces the instance.
 *
 * The SDK loads on first use. Least-privilege IAM policy: docs/scaling-iam.md.
 */
import type { AutoScalingGroup, Instance } from "@aws-sdk/client-auto-scaling";
import { ScalerError } from "../../../errors.ts";
import type { Fleet, FleetAction, FleetInstance } from "../fleet.ts";
import { checkActionId, checkCount, uniqueIds } from "../aws-fleet-support.ts";
import { AsgApi } from "./asg-api.ts";
import { resolveAsgFleetOptions, type AsgFleetOptions, type ResolvedAsgFleetOptions } from "./asg-fleet-options.ts";
import {
  asgInstancePhase,
  FirstSeenClock,
  isInService,
  occupiesCapacity,
  TERMINATING_WAIT,
  toAsgFleetInstance,
} from "./asg-instances.ts";
import { LaunchLedger } from "./asg-launch-ledger.ts";

/** A {@link Fleet} over one Auto Scaling group. */
export class AsgFleet implements Fleet {
  /** Always `asg`. */
  readonly kind = "asg";
  private readonly options: ResolvedAsgFleetOptions;
  private readonly api: AsgApi;
  private readonly ledger = new LaunchLedger();
  private readonly firstSeen: FirstSeenClock;
  /** Instances drained through this fleet: listed as draining, and protect() leaves their protection on. */
  private readonly drained = new Set<string>();
  /** Instances already warned about for want of a lifecycle hook name (warned once each). */
  private readonly warnedNoHook = new Set<string>();

  /** Validates the options (one `SCALER_CONFIG` error naming every bad field); connects on first use. */
  constructor(options: AsgFleetOptions) {
    this.options = resolveAsgFleetOptions(options);
    this.api = new AsgApi(this.options);
    this.firstSeen = new FirstSeenClock(this.options.now);
  }

  /** The group's instances that are not gone, with their lifecycle phase and scale-in protection. */
  async list(): Promise<readonly FleetInstance[]> {
    const instances = (await this.api.describeGroup()).Instances ?? [];
    const ids = instances.flatMap((instance) => instance.InstanceId ?? []);
    const seen = this.firstSeen.observe(ids);
    const present = new Set(ids);
    for (const id of this.drained) if (!present.has(id)) this.drained.delete(id);
    return instances.flatMap((instance) => {
      const id = instance.InstanceId ?? "";
      return toAsgFleetInstance(instance, this.drained.has(id), seen.get(id) ?? 0) ?? [];
    });
  }

  /**
   * Sets the desired capacity to the instances occupying capacity now plus `count` (at most MaxSize), once per
   * action id. Counting instances rather than adding to DesiredCapacity matters: instances the group has yet to
   * create are in DesiredCapacity but not in the scaler's count, so "desired + count" would ask for them twice.
   * Never lowers the desired capacity.
   */
  async launch(count: number, action: FleetAction): Promise<readonly FleetInstance[]> {
    checkCount(count, "asg launch");
    checkActionId(action.id, "asg launch");
    const entry = this.ledger.get(action.id);
    if (count === 0 || entry?.confirmed === true || this.ledger.isOvertaken(action.id)) return [];
    const group = await this.api.describeGroup();
    const desired = group.DesiredCapacity ?? 0;
    const max = group.MaxSize ?? desired;
    const occupied = (group.Instances ?? []).filter((instance) => occupiesCapacity(instance.LifecycleState)).length;
    const wanted = entry?.target ?? occupied + count;
    if (wanted > max && desired >= max) {
      const fix = "raise MaxSize or lower the scaler's max";
      const message = `Auto Scaling group ${this.options.groupName} is at its MaxSize ${max}; ${fix}`;
      throw new ScalerError("SCALER_INSUFFICIENT_CAPACITY", message, { retryable: true });
    }
    const target = Math.min(wanted, max);
    if (entry === undefined) this.ledger.begin(action.id, target);
    if (desired >= target) {
      // The group is on its way there already (instances not created yet, or a lost answer that was a success).
      this.ledger.confirm(action.id);
      return [];
    }
    await this.api.setDesiredCapacity(target);
    this.ledger.confirm(action.id);
    this.logLaunch(count, action, { desired, occupied, target, max });
    return [];
  }

  /** Keeps scale-in protection on; heartbeats the lifecycle action of instances in `Terminating:Wait`. */
  async drain(instanceIds: readonly string[], action: FleetAction): Promise<void> {
    checkActionId(action.id, "asg drain");
    const byId = instancesById(await this.api.describeGroup());
    const unprotected: string[] = [];
    for (const id of uniqueIds(instanceIds)) {
      const instance = byId.get(id);
      if (instance === undefined) continue;
      if (instance.LifecycleState === TERMINATING_WAIT) {
        const hook = this.hookFor(id, "RecordLifecycleActionHeartbeat");
        if (hook !== undefined) await this.api.recordHeartbeat(hook, id);
        continue;
      }
      const phase = asgInstancePhase(instance.LifecycleState, false);
      if (phase === "booting" || phase === "running") this.drained.add(id);
      if (isInService(instance.LifecycleState) && instance.ProtectedFromScaleIn !== true) unprotected.push(id);
    }
    await this.api.setProtection(unprotected, true);
  }

  /** Releases `Terminating:Wait` instances (CONTINUE); removes idle in-service ones with a capacity decrement. */
  async terminate(instanceIds: readonly string[], action: FleetAction): Promise<void> {
    checkActionId(action.id, "asg terminate");
    const byId = instancesById(await this.api.describeGroup());
    const removable: Instance[] = [];
    for (const id of uniqueIds(instanceIds)) {
      const instance = byId.get(id);
      if (instance?.LifecycleState === TERMINATING_WAIT) {
        const hook = this.hookFor(id, "CompleteLifecycleAction");
        if (hook !== undefined) await this.api.completeLifecycleAction(hook, id);
      } else if (instance !== undefined && isInService(instance.LifecycleState)) {
        removable.push(instance);
      } else if (instance !== undefined && asgInstancePhase(instance.LifecycleState, false) !== "terminating") {
        const context = { group: this.options.groupName, instance: id, state: instance.LifecycleState };
        this.options.logger.warn(context, "asg fleet: not terminating an instance that is not InService");
        continue;
      }
      this.drained.delete(id);
    }
    const ids = removable.map((instance) => instance.InstanceId ?? "");
    await this.api.setProtection(
      removable
        .filter((instance) => instance.ProtectedFromScaleIn === true)
        .map((instance) => instance.InstanceId ?? ""),
      false,
    );
    for (const id of ids) await this.api.terminateInstance(id);
    if (ids.length > 0) {
      const context = { group: this.options.groupName, action: action.id, instances: ids };
      this.options.logger.info(context, "asg fleet: terminating instances");
    }
  }

  /** Scale-in protection on for busy in-service instances, off for idle ones; sends only the changes. */
  async protect(busy: ReadonlyMap<string, boolean>, action: FleetAction): Promise<void> {
    checkActionId(action.id, "asg protect");
    const byId = instancesById(await this.api.describeGroup());
    const on: string[] = [];
    const off: string[] = [];
    for (const [id, isBusy] of busy) {
      const instance = byId.get(id);
      if (instance === undefined || !isInService(instance.LifecycleState) || this.drained.has(id)) continue;
      if ((instance.ProtectedFromScaleIn ?? false) !== isBusy) (isBusy ? on : off).push(id);
    }
    await this.api.setProtection(on, true);
    await this.api.setProtection(off, false);
  }

  /** Marks the instance Unhealthy; the group replaces it (after its health check grace period). */
  async recover(instanceId: string, action: FleetAction): Promise<void> {
    checkActionId(action.id, "asg recover");
    await this.api.markUnhealthy(instanceId);
    const context = { group: this.options.groupName, action: action.id, instance: instanceId };
    this.options.logger.info(context, "asg fleet: marked unhealthy for replacement");
  }

  /** Idempotent; destroys the client only when the fleet made it. */
  close(): Promise<void> {
    this.api.close();
    return Promise.resolve();
  }

  /** The configured lifecycle hook; without one, warns once per instance (the hook's timeout then decides). */
  private hookFor(instanceId: string, operation: string): string | undefined {
    const hook = this.options.lifecycleHookName;
    if (hook === undefined && !this.warnedNoHook.has(instanceId)) {
      this.warnedNoHook.add(instanceId);
      this.options.logger.warn(
        { group: this.options.groupName, instance: instanceId, operation },
        "asg fleet: an instance waits on a lifecycle hook but no lifecycleHookName is set; the hook's timeout decides",
      );
    }
    return hook;
  }

  private logLaunch(count: number, action: FleetAction, sizes: LaunchSizes): void {
    const context = { group: this.options.groupName, action: action.id, fencingToken: action.fencingToken, ...sizes };
    const added = sizes.target - sizes.occupied;
    if (added < count) this.options.logger.warn(context, `asg fleet: capped at MaxSize, +${added} of ${count}`);
    else this.options.logger.info(context, `asg fleet: desired capacity ${sizes.desired} → ${sizes.target}`);
  }
}

/** The group sizes a launch looked at, for its log line. */
interface LaunchSizes {
  readonly desired: number;
  readonly occupied: number;
  readonly target: number;
  readonly max: number;
}

function instancesById(group: AutoScalingGroup): Map<string, Instance> {
  const entries = (group.Instances ?? []).flatMap((instance) =>
    instance.InstanceId === undefined ? [] : [[instance.InstanceId, instance] as const],
  );
  return new Map(entries);
}

/** An asg fleet; throws `SCALER_CONFIG` naming every bad option at once. */
export function createAsgFleet(options: AsgFleetOptions): AsgFleet {
  return new AsgFleet(options);
}
