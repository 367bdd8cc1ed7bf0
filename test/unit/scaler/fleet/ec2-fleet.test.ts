import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  RebootInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
  type InstanceStateName,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ScalerError } from "../../../../src/errors.ts";
import { createEc2Fleet, UNLISTED_LAUNCH_GRACE_MS, type Ec2Fleet } from "../../../../src/scaler/fleet/ec2/ec2-fleet.ts";
import { clientToken } from "../../../../src/scaler/fleet/ec2/ec2-launch-request.ts";
import type { Ec2FleetOptions } from "../../../../src/scaler/fleet/ec2/ec2-fleet-options.ts";
import { quoteForSystemd, renderWorkerUserData } from "../../../../src/scaler/fleet/ec2/ec2-user-data.ts";
import { action, ec2Error, recordingLogger, rejection } from "./aws-fleet-test-support.ts";

const client = new EC2Client({ region: "eu-west-1", credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "x" } });
const ec2 = mockClient(client);
const WORKER = ["/usr/bin/thrift-queue", "worker", "--idl", "/opt/app/jobs.thrift", "--transport", "sqs://jobs"];

function fleet(overrides: Partial<Ec2FleetOptions> = {}): Ec2Fleet {
  return createEc2Fleet({
    name: "jobs-workers",
    launchTemplate: { id: "lt-0123456789abcdef0" },
    client,
    workerCommand: WORKER,
    ...overrides,
  });
}

function instance(id: string, state: InstanceStateName, tags: Record<string, string> = {}): Instance {
  return {
    InstanceId: id,
    State: { Name: state },
    LaunchTime: new Date(1_700_000_000_000),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

beforeEach(() => ec2.reset());
afterEach(() => ec2.reset());

describe("ec2 fleet options", () => {
  it("reports every bad field in one SCALER_CONFIG error", () => {
    let caught: unknown;
    try {
      createEc2Fleet({
        name: "bad name!",
        launchTemplate: { id: "lt-0123456789abcdef0", name: "also-a-name", version: "latest" },
        region: "Ireland",
        endpoint: "localhost:4566",
        subnetIds: ["sn-1"],
        tags: { "thrift-queue:fleet": "other", team: "a" },
        workerCommand: ["thrift-queue", "worker"],
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScalerError);
    const error = caught as ScalerError;
    expect(error.code).toBe("SCALER_CONFIG");
    for (const field of [
      "name",
      "exactly one of id and name",
      "launchTemplate.version",
      "region",
      "endpoint",
      "subnetIds",
      "reserved",
      "workerCommand[0]",
    ]) {
      expect(error.message).toContain(field);
    }
  });

  it("refuses workerCommand with userData, an --instance-id of its own, and oversized user data", () => {
    expect(() => fleet({ userData: "#!/bin/sh\n" })).toThrow(/workerCommand or userData, not both/);
    expect(() => fleet({ workerCommand: [...WORKER, "--instance-id", "x"] })).toThrow(/--instance-id/);
    expect(() => fleet({ workerCommand: undefined, userData: "x".repeat(16_385) })).toThrow(/16385 bytes/);
  });
});

describe("ec2 fleet launch", () => {
  it("sends RunInstances from the template with the action id as ClientToken, fleet tags and user data", async () => {
    ec2.on(RunInstancesCommand).resolves({ Instances: [instance("i-0aaaaaaaaaaaaaaa1", "pending")] });
    const launched = await fleet({ tags: { team: "search" } }).launch(3, action("act-1", 42));

    expect(launched).toEqual([{ id: "i-0aaaaaaaaaaaaaaa1", phase: "booting", launchedAt: 1_700_000_000_000 }]);
    const [call] = ec2.commandCalls(RunInstancesCommand);
    const input = call!.args[0].input;
    const tags = [
      { Key: "thrift-queue:fleet", Value: "jobs-workers" },
      { Key: "thrift-queue:action", Value: "act-1" },
      { Key: "thrift-queue:fencing-token", Value: "42" },
      { Key: "team", Value: "search" },
    ];
    expect({ ...input, UserData: undefined }).toEqual({
      LaunchTemplate: { LaunchTemplateId: "lt-0123456789abcdef0", Version: "$Default" },
      MinCount: 1,
      MaxCount: 3,
      ClientToken: "act-1",
      TagSpecifications: [
        { ResourceType: "instance", Tags: tags },
        { ResourceType: "volume", Tags: tags },
      ],
      UserData: undefined,
    });
    const script = Buffer.from(input.UserData!, "base64").toString("utf8");
    expect(script).toBe(renderWorkerUserData("jobs-workers", WORKER));
    expect(script).toContain(
      'ExecStart="/usr/bin/thrift-queue" "worker" "--idl" "/opt/app/jobs.thrift" "--transport" "sqs://jobs" "--instance-id" ${INSTANCE_ID}',
    );
  });

  it("names the template by name and version, and leaves user data to the template when none is set", async () => {
    ec2.on(RunInstancesCommand).resolves({ Instances: [] });
    await fleet({ launchTemplate: { name: "workers", version: "7" }, workerCommand: undefined }).launch(1, action());
    const input = ec2.commandCalls(RunInstancesCommand)[0]!.args[0].input;
    expect(input.LaunchTemplate).toEqual({ LaunchTemplateName: "workers", Version: "7" });
    expect(input).not.toHaveProperty("UserData");
    expect(input).not.toHaveProperty("SubnetId");
  });

  it("uses the same ClientToken when an action is retried, and another for another action", async () => {
    ec2.on(RunInstancesCommand).resolves({ Instances: [instance("i-0aaaaaaaaaaaaaaa1", "pending")] });
    const subject = fleet();
    await subject.launch(2, action("act-1"));
    await subject.launch(2, action("act-1"));
    await subject.launch(2, action("act-2"));
    const tokens = ec2.commandCalls(RunInstancesCommand).map((call) => call.args[0].input.ClientToken);
    expect(tokens).toEqual(["act-1", "act-1", "act-2"]);
  });

  it("returns what EC2 launched when capacity is short, and warns", async () => {
    const logger = recordingLogger();
    ec2.on(RunInstancesCommand).resolves({
      Instances: [instance("i-0aaaaaaaaaaaaaaa1", "pending"), instance("i-0aaaaaaaaaaaaaaa2", "pending")],
    });
    const launched = await fleet({ logger }).launch(5, action());
    expect(launched.map((launchedInstance) => launchedInstance.id)).toEqual([
      "i-0aaaaaaaaaaaaaaa1",
      "i-0aaaaaaaaaaaaaaa2",
    ]);
    expect(logger.entries.filter((entry) => entry.level === "warn").map((entry) => entry.message)).toEqual([
      "ec2 fleet: partial capacity, launched 2 of 5",
    ]);
  });

  it("never logs the user data", async () => {
    const logger = recordingLogger();
    ec2.on(RunInstancesCommand).resolves({ Instances: [instance("i-0aaaaaaaaaaaaaaa1", "pending")] });
    await fleet({ logger, workerCommand: undefined, userData: "#!/bin/sh\nexport TOKEN=secret-value\n" }).launch(
      1,
      action(),
    );
    const logged = JSON.stringify(logger.entries);
    expect(logger.entries.length).toBeGreaterThan(0);
    expect(logged).not.toContain("secret-value");
    expect(logged).not.toContain(Buffer.from("#!/bin/sh").toString("base64").slice(0, 8));
  });

  it("makes no call for zero instances and refuses an action id EC2 would not take as a token", async () => {
    expect(await fleet().launch(0, action())).toEqual([]);
    const error = await rejection(fleet().launch(1, action("x".repeat(65))));
    expect(error.code).toBe("SCALER_FLEET_FAILED");
    expect((await rejection(fleet().launch(1, action("has space")))).message).toMatch(/action id/);
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });

  it("tries the next subnet, with a token of its own, when one has no capacity", async () => {
    const subnets = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"];
    ec2
      .on(RunInstancesCommand)
      .rejectsOnce(ec2Error("InsufficientInstanceCapacity"))
      .resolves({ Instances: [instance("i-0aaaaaaaaaaaaaaa1", "pending")] });
    const launched = await fleet({ subnetIds: subnets }).launch(2, action("act-9"));
    expect(launched).toHaveLength(1);
    const inputs = ec2.commandCalls(RunInstancesCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.SubnetId)).toEqual(subnets);
    expect(inputs[0]!.ClientToken).toBe("act-9");
    expect(inputs[1]!.ClientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(inputs[1]!.ClientToken).toBe(clientToken("act-9", subnets[1], 1));
  });

  it("does not change subnets for an account limit, and reports the last subnet's shortage", async () => {
    const subnets = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"];
    ec2.on(RunInstancesCommand).rejects(ec2Error("InstanceLimitExceeded"));
    const limited = await rejection(fleet({ subnetIds: subnets }).launch(2, action()));
    expect(limited.code).toBe("SCALER_INSUFFICIENT_CAPACITY");
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(1);

    ec2.reset();
    ec2.on(RunInstancesCommand).rejects(ec2Error("InsufficientInstanceCapacity"));
    const short = await rejection(fleet({ subnetIds: subnets }).launch(2, action()));
    expect(short.code).toBe("SCALER_INSUFFICIENT_CAPACITY");
    expect(short.retryable).toBe(true);
    expect(ec2.commandCalls(RunInstancesCommand)).toHaveLength(2);
  });
});

describe("ec2 fleet list", () => {
  it("filters by the fleet tag and live states, follows every page and maps phases", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              instance("i-00000000000000001", "pending"),
              instance("i-00000000000000002", "running"),
              instance("i-00000000000000003", "running", { "thrift-queue:phase": "draining" }),
            ],
          },
        ],
        NextToken: "page-2",
      })
      .resolvesOnce({
        Reservations: [
          { Instances: [instance("i-00000000000000004", "stopping"), instance("i-00000000000000005", "stopped")] },
          { Instances: [instance("i-00000000000000006", "shutting-down")] },
        ],
      });
    const listed = await fleet().list();
    expect(listed.map((listedInstance) => [listedInstance.id, listedInstance.phase])).toEqual([
      ["i-00000000000000001", "booting"],
      ["i-00000000000000002", "running"],
      ["i-00000000000000003", "draining"],
      ["i-00000000000000004", "draining"],
      ["i-00000000000000005", "draining"],
      ["i-00000000000000006", "terminating"],
    ]);
    const inputs = ec2.commandCalls(DescribeInstancesCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      {
        Filters: [
          { Name: "tag:thrift-queue:fleet", Values: ["jobs-workers"] },
          { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped", "shutting-down"] },
        ],
        MaxResults: 1000,
        NextToken: undefined,
      },
      expect.objectContaining({ NextToken: "page-2" }),
    ]);
  });

  it("lists launched instances DescribeInstances does not show yet, for a grace period only", async () => {
    let now = 0;
    const subject = fleet({ now: () => now });
    ec2.on(RunInstancesCommand).resolves({
      Instances: [instance("i-0aaaaaaaaaaaaaaa1", "pending"), instance("i-0aaaaaaaaaaaaaaa2", "pending")],
    });
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [instance("i-0aaaaaaaaaaaaaaa1", "running")] }] });
    await subject.launch(2, action());
    now = UNLISTED_LAUNCH_GRACE_MS;
    expect((await subject.list()).map((listed) => [listed.id, listed.phase])).toEqual([
      ["i-0aaaaaaaaaaaaaaa1", "running"],
      ["i-0aaaaaaaaaaaaaaa2", "booting"],
    ]);
    now += 1;
    expect((await subject.list()).map((listed) => listed.id)).toEqual(["i-0aaaaaaaaaaaaaaa1"]);
  });

  it("maps a throttled DescribeInstances to SCALER_FLEET_THROTTLED", async () => {
    ec2.on(DescribeInstancesCommand).rejects(ec2Error("RequestLimitExceeded"));
    const error = await rejection(fleet().list());
    expect([error.code, error.retryable]).toEqual(["SCALER_FLEET_THROTTLED", true]);
  });
});

describe("ec2 fleet drain, terminate, recover", () => {
  it("tags draining instances once, and not those the last list showed tagged", async () => {
    ec2.on(CreateTagsCommand).resolves({});
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance("i-00000000000000003", "running", { "thrift-queue:phase": "draining" }),
            instance("i-00000000000000004", "stopped"),
          ],
        },
      ],
    });
    const subject = fleet();
    await subject.drain(["i-00000000000000001", "i-00000000000000002", "i-00000000000000001"], action());
    await subject.drain(["i-00000000000000001"], action("act-2"));
    await subject.list();
    await subject.drain(["i-00000000000000003", "i-00000000000000004"], action("act-3"));
    expect(ec2.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
      {
        Resources: ["i-00000000000000001", "i-00000000000000002"],
        Tags: [{ Key: "thrift-queue:phase", Value: "draining" }],
      },
      { Resources: ["i-00000000000000004"], Tags: [{ Key: "thrift-queue:phase", Value: "draining" }] },
    ]);
  });

  it("terminates in batches of at most 100 ids", async () => {
    ec2.on(TerminateInstancesCommand).resolves({});
    const ids = Array.from({ length: 250 }, (_, index) => `i-${String(index).padStart(17, "0")}`);
    await fleet().terminate([...ids, ids[0]!], action());
    const batches = ec2.commandCalls(TerminateInstancesCommand).map((call) => call.args[0].input.InstanceIds);
    expect(batches.map((batch) => batch?.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual(ids);
  });

  it("treats instances EC2 no longer knows as terminated, retrying the rest of the batch", async () => {
    const [gone, alive] = ["i-0aaaaaaaaaaaaaaa1", "i-0bbbbbbbbbbbbbbb2"];
    ec2
      .on(TerminateInstancesCommand)
      .rejectsOnce(ec2Error("InvalidInstanceID.NotFound", `The instance ID '${gone}' does not exist`))
      .resolves({});
    await fleet().terminate([gone, alive], action());
    expect(ec2.commandCalls(TerminateInstancesCommand).map((call) => call.args[0].input.InstanceIds)).toEqual([
      [gone, alive],
      [alive],
    ]);
  });

  it("falls back to one id per call when EC2 does not say which ids are missing", async () => {
    const ids = ["i-0aaaaaaaaaaaaaaa1", "i-0bbbbbbbbbbbbbbb2"];
    ec2
      .on(TerminateInstancesCommand)
      .rejectsOnce(ec2Error("InvalidInstanceID.NotFound", "some instances do not exist"))
      .rejectsOnce(ec2Error("InvalidInstanceID.NotFound", "gone"))
      .resolves({});
    await fleet().terminate(ids, action());
    expect(ec2.commandCalls(TerminateInstancesCommand).map((call) => call.args[0].input.InstanceIds)).toEqual([
      ids,
      [ids[0]],
      [ids[1]],
    ]);
  });

  it("reports a malformed id instead of skipping it", async () => {
    ec2.on(TerminateInstancesCommand).rejects(ec2Error("InvalidInstanceID.Malformed", "Invalid id: 'nope'"));
    const error = await rejection(fleet().terminate(["nope"], action()));
    expect([error.code, error.retryable]).toEqual(["SCALER_FLEET_FAILED", false]);
    expect(error.message).toContain("InvalidInstanceID.Malformed");
  });

  it("recovers by rebooting; an instance already gone is fine", async () => {
    ec2.on(RebootInstancesCommand).resolvesOnce({}).rejects(ec2Error("InvalidInstanceID.NotFound", "gone"));
    await fleet().recover("i-0aaaaaaaaaaaaaaa1", action());
    await fleet().recover("i-0bbbbbbbbbbbbbbb2", action());
    expect(ec2.commandCalls(RebootInstancesCommand).map((call) => call.args[0].input)).toEqual([
      { InstanceIds: ["i-0aaaaaaaaaaaaaaa1"] },
      { InstanceIds: ["i-0bbbbbbbbbbbbbbb2"] },
    ]);
  });
});

describe("ec2 fleet errors", () => {
  it.each([
    ["RequestLimitExceeded", "SCALER_FLEET_THROTTLED", true],
    ["Throttling", "SCALER_FLEET_THROTTLED", true],
    ["InsufficientInstanceCapacity", "SCALER_INSUFFICIENT_CAPACITY", true],
    ["InstanceLimitExceeded", "SCALER_INSUFFICIENT_CAPACITY", true],
    ["IdempotentParameterMismatch", "SCALER_FLEET_FAILED", false],
    ["UnauthorizedOperation", "SCALER_FLEET_FAILED", false],
    ["InvalidLaunchTemplateId.NotFound", "SCALER_FLEET_FAILED", false],
  ])("maps %s from RunInstances to %s (retryable %s), keeping the SDK error as cause", async (name, code, retry) => {
    const sdkError = ec2Error(name);
    ec2.on(RunInstancesCommand).rejects(sdkError);
    const error = await rejection(fleet().launch(1, action()));
    expect([error.code, error.retryable]).toEqual([code, retry]);
    expect(error.cause).toBe(sdkError);
    expect(error.message).toContain(name);
  });

  it("says why a client token mismatch happened and where the IAM policy is", async () => {
    ec2
      .on(RunInstancesCommand)
      .rejectsOnce(ec2Error("IdempotentParameterMismatch"))
      .rejects(ec2Error("UnauthorizedOperation"));
    expect((await rejection(fleet().launch(1, action()))).message).toMatch(/action id was already used/);
    expect((await rejection(fleet().launch(1, action()))).message).toMatch(/docs\/scaling-iam\.md/);
  });

  it("marks server faults retryable", async () => {
    ec2.on(TerminateInstancesCommand).rejects(ec2Error("InternalError", "We encountered an internal error", "server"));
    const error = await rejection(fleet().terminate(["i-0aaaaaaaaaaaaaaa1"], action()));
    expect([error.code, error.retryable]).toEqual(["SCALER_FLEET_FAILED", true]);
  });

  it("marks network failures retryable", async () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    ec2.on(DescribeInstancesCommand).rejects(reset);
    const error = await rejection(fleet().list());
    expect([error.code, error.retryable, error.cause]).toEqual(["SCALER_FLEET_FAILED", true, reset]);
  });

  it("rejects with SCALER_CLOSED after close, which is idempotent and leaves an injected client usable", async () => {
    const subject = fleet();
    await subject.close();
    await subject.close();
    expect((await rejection(subject.list())).code).toBe("SCALER_CLOSED");
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    expect(await fleet().list()).toEqual([]);
  });
});

describe("ec2 user data", () => {
  it("quotes arguments for systemd so spaces, quotes, $ and % arrive unchanged", () => {
    expect(quoteForSystemd('a b"c\\d$HOME%n')).toBe('"a b\\"c\\\\d$$HOME%%n"');
  });

  it("reads the instance id through an IMDSv2 session token before starting the unit", () => {
    const script = renderWorkerUserData("jobs-workers", WORKER);
    const tokenAt = script.indexOf('-X PUT "$imds/api/token"');
    const idAt = script.indexOf('-H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/instance-id"');
    expect(tokenAt).toBeGreaterThan(0);
    expect(idAt).toBeGreaterThan(tokenAt);
    expect(script.startsWith("#!/bin/bash\n")).toBe(true);
    expect(script).toContain("Restart=on-failure");
    expect(script).toContain("systemctl enable --now thrift-queue-worker.service");
  });
});
