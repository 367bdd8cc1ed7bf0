/**
 * The Auto Scaling calls the asg fleet makes, one method each: the one place that loads
 * `@aws-sdk/client-auto-scaling` (on first use), maps its errors to ScalerErrors, splits id lists into per-call
 * batches and treats an instance that already left the group (or a lifecycle action already finished) as done.
 */
import type { AutoScalingClient, AutoScalingGroup } from "@aws-sdk/client-auto-scaling";
import type * as AsgSdk from "@aws-sdk/client-auto-scaling";
import { ScalerError } from "../../../errors.ts";
import { awsErrorMessage, awsFleetErrorCode, toFleetError } from "../aws-fleet-errors.ts";
import { chunksOf, throwIfClosed } from "../aws-fleet-support.ts";
import type { ResolvedAsgFleetOptions } from "./asg-fleet-options.ts";

type AsgModule = typeof AsgSdk;

/** Instance ids per SetInstanceProtection call (Auto Scaling's limit). */
export const ASG_IDS_PER_CALL = 50;

/** Auto Scaling answers ValidationError with these words for an instance that left the group or a finished hook. */
const MISSING_INSTANCE = /not found|not part of|no managed instance|no active lifecycle action/i;

let sdk: Promise<AsgModule> | undefined;

function loadAsgSdk(): Promise<AsgModule> {
  sdk ??= import("@aws-sdk/client-auto-scaling");
  return sdk;
}

/** Whether an error says the instance (or its lifecycle action) is no longer there: the goal is reached. */
export function isMissingInstanceError(error: unknown): boolean {
  return awsFleetErrorCode(error) === "ValidationError" && MISSING_INSTANCE.test(awsErrorMessage(error));
}

/** The group's Auto Scaling calls. Every method rejects with a ScalerError. */
export class AsgApi {
  private readonly options: ResolvedAsgFleetOptions;
  private made: AutoScalingClient | undefined;
  private closed = false;

  /** Makes no call yet. */
  constructor(options: ResolvedAsgFleetOptions) {
    this.options = options;
  }

  /** DescribeAutoScalingGroups for the group; `SCALER_FLEET_FAILED` when it does not exist. */
  async describeGroup(): Promise<AutoScalingGroup> {
    const name = this.options.groupName;
    const response = await this.send("DescribeAutoScalingGroups", (client, asg) =>
      client.send(new asg.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
    );
    const group = response.AutoScalingGroups?.find((candidate) => candidate.AutoScalingGroupName === name);
    if (group === undefined) {
      throw new ScalerError("SCALER_FLEET_FAILED", `Auto Scaling group ${name} not found (check the name and region)`);
    }
    return group;
  }

  /** SetDesiredCapacity to an absolute target, ignoring the group's cooldown (the scaler is the policy). */
  async setDesiredCapacity(target: number): Promise<void> {
    const input = { AutoScalingGroupName: this.options.groupName, DesiredCapacity: target, HonorCooldown: false };
    await this.send("SetDesiredCapacity", (client, asg) => client.send(new asg.SetDesiredCapacityCommand(input)));
  }

  /** SetInstanceProtection in batches of {@link ASG_IDS_PER_CALL}; instances that left the group are skipped. */
  async setProtection(ids: readonly string[], protectedFromScaleIn: boolean): Promise<void> {
    for (const batch of chunksOf(ids, ASG_IDS_PER_CALL)) {
      await this.skippingMissing(batch, (instanceIds) =>
        this.send("SetInstanceProtection", (client, asg) =>
          client.send(
            new asg.SetInstanceProtectionCommand({
              AutoScalingGroupName: this.options.groupName,
              InstanceIds: instanceIds,
              ProtectedFromScaleIn: protectedFromScaleIn,
            }),
          ),
        ),
      );
    }
  }

  /** RecordLifecycleActionHeartbeat for an instance in `Terminating:Wait`. */
  async recordHeartbeat(hook: string, instanceId: string): Promise<void> {
    const input = { AutoScalingGroupName: this.options.groupName, LifecycleHookName: hook, InstanceId: instanceId };
    await this.skippingMissing([instanceId], () =>
      this.send("RecordLifecycleActionHeartbeat", (client, asg) =>
        client.send(new asg.RecordLifecycleActionHeartbeatCommand(input)),
      ),
    );
  }

  /** CompleteLifecycleAction CONTINUE: the group goes on terminating the instance. */
  async completeLifecycleAction(hook: string, instanceId: string): Promise<void> {
    const input = {
      AutoScalingGroupName: this.options.groupName,
      LifecycleHookName: hook,
      InstanceId: instanceId,
      LifecycleActionResult: "CONTINUE" as const,
    };
    await this.skippingMissing([instanceId], () =>
      this.send("CompleteLifecycleAction", (client, asg) => client.send(new asg.CompleteLifecycleActionCommand(input))),
    );
  }

  /** TerminateInstanceInAutoScalingGroup with a decrement, so the group does not replace the instance. */
  async terminateInstance(instanceId: string): Promise<void> {
    const input = { InstanceId: instanceId, ShouldDecrementDesiredCapacity: true };
    await this.skippingMissing([instanceId], () =>
      this.send("TerminateInstanceInAutoScalingGroup", (client, asg) =>
        client.send(new asg.TerminateInstanceInAutoScalingGroupCommand(input)),
      ),
    );
  }

  /** SetInstanceHealth Unhealthy, respecting the grace period: the group replaces the instance. */
  async markUnhealthy(instanceId: string): Promise<void> {
    const input = { InstanceId: instanceId, HealthStatus: "Unhealthy", ShouldRespectGracePeriod: true };
    await this.skippingMissing([instanceId], () =>
      this.send("SetInstanceHealth", (client, asg) => client.send(new asg.SetInstanceHealthCommand(input))),
    );
  }

  /** Idempotent; destroys the client only when this made it. */
  close(): void {
    this.closed = true;
    this.made?.destroy();
    this.made = undefined;
  }

  /** Runs a call over `ids`; an instance that left the group is skipped (a batch is retried one id at a time). */
  private async skippingMissing(ids: readonly string[], call: (ids: string[]) => Promise<unknown>): Promise<void> {
    try {
      await call([...ids]);
    } catch (error) {
      const cause = error instanceof ScalerError ? error.cause : error;
      if (!isMissingInstanceError(cause)) throw error;
      if (ids.length === 1) return;
      for (const id of ids) await this.skippingMissing([id], call);
    }
  }

  /** Runs one SDK call on the client (loading the SDK first), mapping its error. */
  private async send<T>(
    operation: string,
    call: (client: AutoScalingClient, asg: AsgModule) => Promise<T>,
  ): Promise<T> {
    throwIfClosed(this.closed, "asg");
    const asg = await loadAsgSdk();
    const client = this.options.client ?? this.makeClient(asg);
    try {
      return await call(client, asg);
    } catch (error) {
      throw toFleetError(error, `${operation} (${this.options.groupName})`);
    }
  }

  private makeClient(asg: AsgModule): AutoScalingClient {
    const { region, endpoint, credentials } = this.options;
    this.made ??= new asg.AutoScalingClient({ region, endpoint, credentials });
    return this.made;
  }
}
