/**
 * The ec2 and asg fleets against LocalStack: `LOCALSTACK_URL` when set (an emulator already running), else a
 * throwaway `localstack/localstack` container started through testcontainers. Skipped, saying why, when neither is
 * available: testcontainers is imported dynamically (it is not a dependency of the project) and needs a Docker
 * engine. The Auto Scaling part also skips itself when the LocalStack edition at hand does not offer Auto Scaling.
 *
 * These exercise real request serialization and the emulator's tag filters, state names and pagination; the exact
 * request shapes, idempotency and error mapping are pinned by the unit tests (test/unit/scaler/fleet/).
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  CreateLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAsgFleet } from "../../src/scaler/fleet/asg/asg-fleet.ts";
import { createEc2Fleet } from "../../src/scaler/fleet/ec2/ec2-fleet.ts";

const REGION = "us-east-1";
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
const IMAGE = "localstack/localstack:3.8";

/** The few testcontainers members this file uses (typed here: the package is optional and may be absent). */
interface StartedContainer {
  getHost(): string;
  getMappedPort(port: number): number;
  stop(): Promise<unknown>;
}
interface ContainerBuilder {
  withExposedPorts(...ports: number[]): ContainerBuilder;
  withEnvironment(environment: Record<string, string>): ContainerBuilder;
  start(): Promise<StartedContainer>;
}
interface TestcontainersModule {
  GenericContainer: new (image: string) => ContainerBuilder;
  getContainerRuntimeClient(): Promise<unknown>;
}

/** An emulator endpoint, or why there is none. */
type Emulator =
  | { readonly endpoint: string; readonly stop: () => Promise<unknown> }
  | { readonly endpoint: undefined; readonly reason: string };

async function findLocalStack(): Promise<Emulator> {
  const given = process.env["LOCALSTACK_URL"];
  if (given !== undefined && given !== "") return { endpoint: given, stop: () => Promise.resolve() };
  let testcontainers: TestcontainersModule;
  try {
    const name = "testcontainers"; // a variable: the package is optional, so no static resolution
    testcontainers = (await import(name)) as TestcontainersModule;
  } catch {
    return { endpoint: undefined, reason: "testcontainers is not installed (or set LOCALSTACK_URL)" };
  }
  try {
    await testcontainers.getContainerRuntimeClient();
  } catch {
    return { endpoint: undefined, reason: "no Docker engine for testcontainers (or set LOCALSTACK_URL)" };
  }
  const container = await new testcontainers.GenericContainer(IMAGE)
    .withExposedPorts(4566)
    .withEnvironment({ SERVICES: "ec2,autoscaling" })
    .start();
  const endpoint = `http://${container.getHost()}:${container.getMappedPort(4566)}`;
  await waitUntilReady(endpoint);
  return { endpoint, stop: () => container.stop() };
}

async function waitUntilReady(endpoint: string): Promise<void> {
  for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
    const healthy = await fetch(`${endpoint}/_localstack/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`LocalStack at ${endpoint} did not become ready`);
}

const emulator = await findLocalStack();

if (emulator.endpoint === undefined) {
  describe.skip(`fleets against LocalStack (skipped: ${emulator.reason})`, () => {
    it("needs LocalStack", () => undefined);
  });
} else {
  const endpoint = emulator.endpoint;
  const ec2Client = new EC2Client({ region: REGION, endpoint, credentials: CREDENTIALS });
  const asgClient = new AutoScalingClient({ region: REGION, endpoint, credentials: CREDENTIALS });
  let templateId = "";
  const suffix = Date.now().toString(36);

  beforeAll(async () => {
    const images = await ec2Client.send(new DescribeImagesCommand({}));
    const imageId = images.Images?.find((image) => image.ImageId !== undefined)?.ImageId ?? "ami-12c6146b";
    const template = await ec2Client.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `thrift-queue-test-${suffix}`,
        LaunchTemplateData: { ImageId: imageId, InstanceType: "t3.micro" },
      }),
    );
    templateId = template.LaunchTemplate?.LaunchTemplateId ?? "";
  });

  afterAll(async () => {
    ec2Client.destroy();
    asgClient.destroy();
    await emulator.stop();
  });

  describe("ec2 fleet against LocalStack", () => {
    it("launches tagged instances, lists them by tag, drains, reboots and terminates them", async () => {
      const name = `workers-${suffix}`;
      const fleet = createEc2Fleet({
        name,
        launchTemplate: { id: templateId },
        client: ec2Client,
        workerCommand: ["/usr/bin/thrift-queue", "worker", "--transport", "sqs://jobs"],
      });
      const other = createEc2Fleet({ name: `other-${suffix}`, launchTemplate: { id: templateId }, client: ec2Client });
      const launched = await fleet.launch(2, { id: `launch-${suffix}`, fencingToken: 3 });
      await other.launch(1, { id: `other-${suffix}`, fencingToken: 3 });
      expect(launched).toHaveLength(2);

      const listed = await fleet.list();
      expect(listed.map((instance) => instance.id).sort()).toEqual(launched.map((instance) => instance.id).sort());
      const described = await ec2Client.send(new DescribeInstancesCommand({ InstanceIds: [launched[0]!.id] }));
      const instance = described.Reservations?.[0]?.Instances?.[0];
      expect(instance?.ClientToken).toBe(`launch-${suffix}`);
      expect(instance?.Tags).toEqual(
        expect.arrayContaining([
          { Key: "thrift-queue:fleet", Value: name },
          { Key: "thrift-queue:fencing-token", Value: "3" },
        ]),
      );

      await fleet.drain([launched[0]!.id], { id: `drain-${suffix}`, fencingToken: 3 });
      const afterDrain = await fleet.list();
      expect(afterDrain.find((entry) => entry.id === launched[0]!.id)?.phase).toMatch(/draining|booting/);
      await fleet.recover(launched[1]!.id, { id: `recover-${suffix}`, fencingToken: 3 });
      await fleet.terminate(
        launched.map((entry) => entry.id),
        { id: `terminate-${suffix}`, fencingToken: 3 },
      );
      await fleet.terminate([launched[0]!.id], { id: `again-${suffix}`, fencingToken: 3 });
      const left = await fleet.list();
      expect(left.every((entry) => entry.phase === "terminating")).toBe(true);
      await fleet.close();
      await other.close();
    });
  });

  describe("asg fleet against LocalStack", () => {
    it("raises the desired capacity once per action and sets protection", async (context) => {
      const groupName = `workers-${suffix}`;
      try {
        await asgClient.send(
          new CreateAutoScalingGroupCommand({
            AutoScalingGroupName: groupName,
            LaunchTemplate: { LaunchTemplateId: templateId, Version: "$Default" },
            MinSize: 0,
            MaxSize: 4,
            DesiredCapacity: 0,
            AvailabilityZones: [`${REGION}a`],
          }),
        );
      } catch (error) {
        context.skip(`this LocalStack offers no Auto Scaling: ${(error as Error).message}`);
      }
      const fleet = createAsgFleet({ groupName, client: asgClient });
      try {
        await fleet.launch(2, { id: `launch-${suffix}`, fencingToken: 1 });
        await fleet.launch(2, { id: `launch-${suffix}`, fencingToken: 1 });
        const listed = await fleet.list();
        expect(listed.length).toBeLessThanOrEqual(2);
        const running = listed.filter((instance) => instance.phase === "running");
        await fleet.protect(new Map(running.map((instance) => [instance.id, true])), {
          id: "protect",
          fencingToken: 1,
        });
        const protectedNow = await fleet.list();
        for (const instance of protectedNow.filter((entry) => entry.phase === "running")) {
          expect(instance.protectedFromScaleIn).toBe(true);
        }
      } finally {
        await fleet.close();
        await asgClient
          .send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: groupName, ForceDelete: true }))
          .catch(() => undefined);
      }
    });
  });
}
