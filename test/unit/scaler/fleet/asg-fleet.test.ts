import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  SetInstanceHealthCommand,
  SetInstanceProtectionCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  type Instance,
  type LifecycleState,
} from "@aws-sdk/client-auto-scaling";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ScalerError } from "../../../../src/errors.ts";
import { createAsgFleet, type AsgFleet } from "../../../../src/scaler/fleet/asg/asg-fleet.ts";
import type { AsgFleetOptions } from "../../../../src/scaler/fleet/asg/asg-fleet-options.ts";
import { action, asgError, recordingLogger, rejection } from "./aws-fleet-test-support.ts";

const client = new AutoScalingClient({
  region: "eu-west-1",
  credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "x" },
});
const asg = mockClient(client);
const GROUP = "jobs-workers";

function fleet(overrides: Partial<AsgFleetOptions> = {}): AsgFleet {
  return createAsgFleet({ groupName: GROUP, client, lifecycleHookName: "drain-hook", ...overrides });
}

function member(id: string, state: LifecycleState, protectedFromScaleIn = false): Instance {
  return {
    InstanceId: id,
    LifecycleState: state,
    ProtectedFromScaleIn: protectedFromScaleIn,
    AvailabilityZone: "eu-west-1a",
    HealthStatus: "Healthy",
  };
}

function group(instances: Instance[], desired = instances.length, max = 10): void {
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: GROUP,
        DesiredCapacity: desired,
        MinSize: 0,
        MaxSize: max,
        Instances: instances,
        AvailabilityZones: ["eu-west-1a"],
        DefaultCooldown: 300,
        HealthCheckType: "EC2",
        CreatedTime: new Date(0),
      },
    ],
  });
}

/** The commands sent, in order, by name (without the describes). */
function sentCommands(): string[] {
  return asg
    .calls()
    .map((call) => (call.args[0] as object).constructor.name)
    .filter((name) => name !== "DescribeAutoScalingGroupsCommand");
}

beforeEach(() => asg.reset());
afterEach(() => asg.reset());

describe("asg fleet options", () => {
  it("reports every bad field in one SCALER_CONFIG error", () => {
    let caught: unknown;
    try {
      createAsgFleet({ groupName: "", lifecycleHookName: "bad hook", region: "Ireland", endpoint: "nope" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScalerError);
    expect((caught as ScalerError).code).toBe("SCALER_CONFIG");
    for (const field of ["groupName", "lifecycleHookName", "region", "endpoint"]) {
      expect((caught as ScalerError).message).toContain(field);
    }
  });
});

describe("asg fleet list", () => {
  it("maps lifecycle states to phases, reports protection and leaves out instances that are gone", async () => {
    group([
      member("i-1", "Pending"),
      member("i-2", "Pending:Wait"),
      member("i-3", "InService", true),
      member("i-4", "Terminating:Wait", true),
      member("i-5", "Terminating"),
      member("i-6", "Terminating:Proceed"),
      member("i-7", "Terminated"),
      member("i-8", "Detached"),
      member("i-9", "Standby"),
    ]);
    const listed = await fleet({ now: () => 5000 }).list();
    expect(listed).toEqual([
      { id: "i-1", phase: "booting", launchedAt: 5000, protectedFromScaleIn: false },
      { id: "i-2", phase: "booting", launchedAt: 5000, protectedFromScaleIn: false },
      { id: "i-3", phase: "running", launchedAt: 5000, protectedFromScaleIn: true },
      { id: "i-4", phase: "draining", launchedAt: 5000, protectedFromScaleIn: true },
      { id: "i-5", phase: "terminating", launchedAt: 5000, protectedFromScaleIn: false },
      { id: "i-6", phase: "terminating", launchedAt: 5000, protectedFromScaleIn: false },
      { id: "i-9", phase: "running", launchedAt: 5000, protectedFromScaleIn: false },
    ]);
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupNames: [GROUP],
    });
  });

  it("reports launchedAt as the time each instance was first seen", async () => {
    let now = 1000;
    const subject = fleet({ now: () => now });
    group([member("i-1", "Pending")]);
    await subject.list();
    now = 2000;
    group([member("i-1", "InService"), member("i-2", "Pending")]);
    const listed = await subject.list();
    expect(listed.map((instance) => [instance.id, instance.launchedAt])).toEqual([
      ["i-1", 1000],
      ["i-2", 2000],
    ]);
  });

  it("fails clearly when the group does not exist", async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const error = await rejection(fleet().list());
    expect(error.code).toBe("SCALER_FLEET_FAILED");
    expect(error.message).toContain(`group ${GROUP} not found`);
  });
});

/** `count` in-service members named `i-<prefix><n>`. */
function inService(count: number, prefix = ""): Instance[] {
  return Array.from({ length: count }, (_, index) => member(`i-${prefix}${index}`, "InService"));
}

/** The DesiredCapacity of every SetDesiredCapacity sent. */
function targets(): (number | undefined)[] {
  return asg.commandCalls(SetDesiredCapacityCommand).map((call) => call.args[0].input.DesiredCapacity);
}

describe("asg fleet launch", () => {
  it("sets the desired capacity to the instances in the group + count, ignoring the cooldown", async () => {
    group(inService(2), 2, 10);
    asg.on(SetDesiredCapacityCommand).resolves({});
    expect(await fleet().launch(3, action())).toEqual([]);
    expect(asg.commandCalls(SetDesiredCapacityCommand).map((call) => call.args[0].input)).toEqual([
      { AutoScalingGroupName: GROUP, DesiredCapacity: 5, HonorCooldown: false },
    ]);
  });

  it("does not ask twice for instances the group has yet to create", async () => {
    // Desired 5, but only 3 exist yet: the scaler counts 3 and asks for 2 more, which the group is already making.
    group(inService(3), 5, 10);
    asg.on(SetDesiredCapacityCommand).resolves({});
    await fleet().launch(2, action("act-1"));
    expect(targets()).toEqual([]);
    await fleet().launch(3, action("act-2"));
    expect(targets()).toEqual([6]);
  });

  it("counts drained and booting instances, not terminating or standby ones", async () => {
    group(
      [
        member("i-a", "InService", true),
        member("i-b", "Pending"),
        member("i-c", "Terminating:Wait", true),
        member("i-d", "Terminating"),
        member("i-e", "Standby"),
      ],
      2,
      10,
    );
    asg.on(SetDesiredCapacityCommand).resolves({});
    await fleet().launch(1, action());
    expect(targets()).toEqual([3]);
  });

  it("caps at MaxSize with a warning, and refuses as insufficient capacity when already there", async () => {
    const logger = recordingLogger();
    group(inService(8), 8, 10);
    asg.on(SetDesiredCapacityCommand).resolves({});
    await fleet({ logger }).launch(5, action("act-1"));
    expect(targets()).toEqual([10]);
    expect(logger.entries.some((entry) => entry.level === "warn" && /\+2 of 5/.test(entry.message ?? ""))).toBe(true);

    asg.reset();
    group(inService(10), 10, 10);
    const error = await rejection(fleet().launch(1, action("act-2")));
    expect([error.code, error.retryable]).toEqual(["SCALER_INSUFFICIENT_CAPACITY", true]);
    expect(targets()).toEqual([]);
  });

  it("does not add twice when a confirmed action is retried", async () => {
    group(inService(2), 2);
    asg.on(SetDesiredCapacityCommand).resolves({});
    const subject = fleet();
    await subject.launch(2, action("act-1"));
    group(inService(4), 4);
    await subject.launch(2, action("act-1"));
    expect(targets()).toEqual([4]);
  });

  it("re-sends the same absolute target when the first attempt's answer was lost", async () => {
    group(inService(2), 2);
    asg
      .on(SetDesiredCapacityCommand)
      .rejectsOnce(asgError("RequestTimeout", "socket hang up", "server"))
      .resolves({});
    const subject = fleet();
    expect((await rejection(subject.launch(3, action("act-1")))).retryable).toBe(true);
    group(inService(1), 1); // meanwhile an idle instance was terminated with a decrement
    await subject.launch(3, action("act-1"));
    expect(targets()).toEqual([5, 5]);
  });

  it("sends nothing on retry when the lost attempt did apply, or when a later action overtook it", async () => {
    group(inService(2), 2);
    asg
      .on(SetDesiredCapacityCommand)
      .rejectsOnce(asgError("RequestTimeout", "lost", "server"))
      .resolves({});
    const subject = fleet();
    await rejection(subject.launch(3, action("act-1")));
    group(inService(2), 5); // it did apply: desired 5, the 3 new instances not created yet
    await subject.launch(3, action("act-1"));
    expect(targets()).toEqual([5]);

    asg.reset();
    group(inService(5), 5);
    asg
      .on(SetDesiredCapacityCommand)
      .rejectsOnce(asgError("RequestTimeout", "lost", "server"))
      .resolves({});
    await rejection(subject.launch(1, action("act-2")));
    await subject.launch(2, action("act-3"));
    await subject.launch(1, action("act-2"));
    // act-2 (target 6) was overtaken by act-3 (target 7): re-sending 6 would undo what act-3 set.
    expect(targets()).toEqual([6, 7]);
  });
});

describe("asg fleet drain and protect", () => {
  it("turns protection on for unprotected in-service instances and heartbeats Terminating:Wait ones", async () => {
    group([member("i-1", "InService"), member("i-2", "InService", true), member("i-3", "Terminating:Wait", true)]);
    asg.on(SetInstanceProtectionCommand).resolves({});
    asg.on(RecordLifecycleActionHeartbeatCommand).resolves({});
    const subject = fleet();
    await subject.drain(["i-1", "i-2", "i-3", "i-gone"], action());
    expect(asg.commandCalls(SetInstanceProtectionCommand).map((call) => call.args[0].input)).toEqual([
      { AutoScalingGroupName: GROUP, InstanceIds: ["i-1"], ProtectedFromScaleIn: true },
    ]);
    expect(asg.commandCalls(RecordLifecycleActionHeartbeatCommand).map((call) => call.args[0].input)).toEqual([
      { AutoScalingGroupName: GROUP, LifecycleHookName: "drain-hook", InstanceId: "i-3" },
    ]);
    const phases = (await subject.list()).map((instance) => [instance.id, instance.phase]);
    expect(phases).toEqual([
      ["i-1", "draining"],
      ["i-2", "draining"],
      ["i-3", "draining"],
    ]);
  });

  it("warns once, and sends nothing, for a waiting instance when no hook name is set", async () => {
    const logger = recordingLogger();
    group([member("i-3", "Terminating:Wait", true)]);
    const subject = fleet({ lifecycleHookName: undefined, logger });
    await subject.drain(["i-3"], action());
    await subject.drain(["i-3"], action("act-2"));
    await subject.terminate(["i-3"], action("act-3"));
    expect(sentCommands()).toEqual([]);
    expect(logger.entries.filter((entry) => entry.level === "warn")).toHaveLength(1);
  });

  it("sends only protection changes, in batches of 50, and leaves drained instances protected", async () => {
    const busy = new Map<string, boolean>();
    const members: Instance[] = [];
    for (let index = 0; index < 120; index++) {
      members.push(member(`i-busy-${index}`, "InService"));
      busy.set(`i-busy-${index}`, true);
    }
    members.push(member("i-idle", "InService", true), member("i-same", "InService", true));
    members.push(member("i-drained", "InService", true), member("i-pending", "Pending"));
    busy.set("i-idle", false).set("i-same", true).set("i-drained", false).set("i-pending", true);
    group(members);
    asg.on(SetInstanceProtectionCommand).resolves({});
    const subject = fleet();
    await subject.drain(["i-drained"], action("act-0"));
    await subject.protect(busy, action());
    const inputs = asg.commandCalls(SetInstanceProtectionCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => [input.InstanceIds?.length, input.ProtectedFromScaleIn])).toEqual([
      [50, true],
      [50, true],
      [20, true],
      [1, false],
    ]);
    expect(inputs[3]!.InstanceIds).toEqual(["i-idle"]);
  });

  it("retries a protection batch one instance at a time when one left the group", async () => {
    group([member("i-1", "InService"), member("i-2", "InService")]);
    asg
      .on(SetInstanceProtectionCommand)
      .rejectsOnce(asgError("ValidationError", "The instance i-2 is not part of Auto Scaling group jobs-workers."))
      .resolvesOnce({})
      .rejectsOnce(asgError("ValidationError", "The instance i-2 is not part of Auto Scaling group jobs-workers."));
    await fleet().protect(
      new Map([
        ["i-1", true],
        ["i-2", true],
      ]),
      action(),
    );
    const batches = asg.commandCalls(SetInstanceProtectionCommand).map((call) => call.args[0].input.InstanceIds);
    expect(batches).toEqual([["i-1", "i-2"], ["i-1"], ["i-2"]]);
  });
});

describe("asg fleet terminate and recover", () => {
  it("removes protection, then terminates with a decrement; releases Terminating:Wait ones with CONTINUE", async () => {
    group([
      member("i-1", "InService", true),
      member("i-2", "InService"),
      member("i-3", "Terminating:Wait", true),
      member("i-4", "Terminating"),
    ]);
    asg.on(SetInstanceProtectionCommand).resolves({});
    asg.on(TerminateInstanceInAutoScalingGroupCommand).resolves({});
    asg.on(CompleteLifecycleActionCommand).resolves({});
    await fleet().terminate(["i-1", "i-2", "i-3", "i-4", "i-gone"], action());
    expect(sentCommands()).toEqual([
      "CompleteLifecycleActionCommand",
      "SetInstanceProtectionCommand",
      "TerminateInstanceInAutoScalingGroupCommand",
      "TerminateInstanceInAutoScalingGroupCommand",
    ]);
    expect(asg.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: GROUP,
      LifecycleHookName: "drain-hook",
      InstanceId: "i-3",
      LifecycleActionResult: "CONTINUE",
    });
    expect(asg.commandCalls(SetInstanceProtectionCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: GROUP,
      InstanceIds: ["i-1"],
      ProtectedFromScaleIn: false,
    });
    expect(asg.commandCalls(TerminateInstanceInAutoScalingGroupCommand).map((call) => call.args[0].input)).toEqual([
      { InstanceId: "i-1", ShouldDecrementDesiredCapacity: true },
      { InstanceId: "i-2", ShouldDecrementDesiredCapacity: true },
    ]);
  });

  it("treats an instance that left the group meanwhile as terminated", async () => {
    group([member("i-1", "InService")]);
    asg
      .on(TerminateInstanceInAutoScalingGroupCommand)
      .rejects(asgError("ValidationError", "Instance Id not found - No managed instance found for instance ID: i-1"));
    await fleet().terminate(["i-1"], action());
    expect(asg.commandCalls(TerminateInstanceInAutoScalingGroupCommand)).toHaveLength(1);
  });

  it("reports a MinSize refusal instead of hiding it", async () => {
    group([member("i-1", "InService")]);
    const refusal =
      "Currently, desiredSize equals minSize (1). Terminating instance without replacement will violate group's min size constraint.";
    asg.on(TerminateInstanceInAutoScalingGroupCommand).rejects(asgError("ValidationError", refusal));
    const error = await rejection(fleet().terminate(["i-1"], action()));
    expect([error.code, error.retryable]).toEqual(["SCALER_FLEET_FAILED", false]);
    expect(error.message).toContain("min size");
  });

  it("recovers by marking the instance unhealthy within the grace period rules", async () => {
    asg.on(SetInstanceHealthCommand).resolves({});
    await fleet().recover("i-1", action());
    expect(asg.commandCalls(SetInstanceHealthCommand)[0]!.args[0].input).toEqual({
      InstanceId: "i-1",
      HealthStatus: "Unhealthy",
      ShouldRespectGracePeriod: true,
    });
  });
});

describe("asg fleet errors", () => {
  it.each([
    ["Throttling", "client", "SCALER_FLEET_THROTTLED", true],
    ["ScalingActivityInProgressFault", "client", "SCALER_FLEET_THROTTLED", true],
    ["ResourceContentionFault", "server", "SCALER_FLEET_THROTTLED", true],
    ["ServiceLinkedRoleFailure", "server", "SCALER_FLEET_FAILED", true],
    ["AccessDenied", "client", "SCALER_FLEET_FAILED", false],
    ["ValidationError", "client", "SCALER_FLEET_FAILED", false],
  ] as const)("maps %s (%s fault) to %s, retryable %s", async (name, fault, code, retryable) => {
    group(inService(1), 1);
    const sdkError = asgError(name, `${name} happened`, fault);
    asg.on(SetDesiredCapacityCommand).rejects(sdkError);
    const error = await rejection(fleet().launch(1, action()));
    expect([error.code, error.retryable]).toEqual([code, retryable]);
    expect(error.cause).toBe(sdkError);
    expect(error.message).toContain(`SetDesiredCapacity (${GROUP})`);
  });

  it("rejects with SCALER_CLOSED after close", async () => {
    const subject = fleet();
    await subject.close();
    await subject.close();
    expect((await rejection(subject.list())).code).toBe("SCALER_CLOSED");
    expect((await rejection(subject.recover("i-1", action()))).code).toBe("SCALER_CLOSED");
  });
});
