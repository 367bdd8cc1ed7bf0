/**
 * The `ec2` fleet: instances launched with RunInstances from a launch template and found again by their
 * `thrift-queue:fleet` tag. Idempotency: the action id is RunInstances' ClientToken, so a retried or duplicated
 * launch returns the instances the first one started instead of starting more (EC2 keeps a token's result for a
 * while after launch); the action id and fencing token are also tags, so an operator can tell which decision
 * started an instance. A launch asks for `MinCount: 1, MaxCount: count`: when EC2 has fewer than `count`, it
 * launches what it has (the scaler sees the shortfall and asks again) instead of launching nothing.
 *
 * The SDK loads on first use, so users of other fleets never load `@aws-sdk/client-ec2`. Least-privilege IAM
 * policy: docs/scaling-iam.md.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type * as Ec2Sdk from "@aws-sdk/client-ec2";
import type { Fleet, FleetAction, FleetInstance } from "../fleet.ts";
import { awsErrorMessage, awsFleetErrorCode, toFleetError } from "../aws-fleet-errors.ts";
import { checkActionId, checkCount, chunksOf, throwIfClosed, uniqueIds } from "../aws-fleet-support.ts";
import { resolveEc2FleetOptions, type Ec2FleetOptions, type ResolvedEc2FleetOptions } from "./ec2-fleet-options.ts";
import { DRAINING_PHASE, FLEET_TAG, LISTED_STATES, PHASE_TAG, tagValue, toFleetInstance } from "./ec2-instances.ts";
import { runInstancesRequest } from "./ec2-launch-request.ts";

type Ec2Module = typeof Ec2Sdk;

/** Ids per TerminateInstances/CreateTags call: EC2 takes up to 1000 and recommends smaller batches. */
export const EC2_IDS_PER_CALL = 100;
/** Instances per DescribeInstances page (EC2's largest). */
const DESCRIBE_PAGE_SIZE = 1000;
/**
 * How long an instance RunInstances returned is listed even though DescribeInstances does not show it yet (EC2's
 * reads are eventually consistent): without it, the next evaluation would not count it and launch again.
 */
export const UNLISTED_LAUNCH_GRACE_MS = 120_000;
/** The error code of ids EC2 does not know (already terminated and gone, or never existed). */
const NOT_FOUND = "InvalidInstanceID.NotFound";

let sdk: Promise<Ec2Module> | undefined;

function loadEc2Sdk(): Promise<Ec2Module> {
  sdk ??= import("@aws-sdk/client-ec2");
  return sdk;
}

/** A {@link Fleet} of EC2 instances launched from a launch template. */
export class Ec2Fleet implements Fleet {
  /** Always `ec2`. */
  readonly kind = "ec2";
  private readonly options: ResolvedEc2FleetOptions;
  private made: EC2Client | undefined;
  private closed = false;
  /** Instances known to carry the draining tag (from the last list, or tagged since), so drain() tags each once. */
  private tagged = new Set<string>();
  /** Instances launched here that DescribeInstances has not shown yet, with when they were launched (fleet clock). */
  private readonly unlisted = new Map<string, { readonly instance: FleetInstance; readonly at: number }>();

  /** Validates the options (one `SCALER_CONFIG` error naming every bad field); connects on first use. */
  constructor(options: Ec2FleetOptions) {
    this.options = resolveEc2FleetOptions(options);
  }

  /**
   * Every instance tagged with this fleet's name that is not terminated, across all DescribeInstances pages, plus
   * the ones this fleet launched in the last {@link UNLISTED_LAUNCH_GRACE_MS} that EC2 does not list yet.
   */
  async list(): Promise<readonly FleetInstance[]> {
    const { sdk, client } = await this.connect();
    const instances: FleetInstance[] = [];
    const tagged = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await this.call("DescribeInstances", () =>
        client.send(
          new sdk.DescribeInstancesCommand({
            Filters: [
              { Name: `tag:${FLEET_TAG}`, Values: [this.options.name] },
              { Name: "instance-state-name", Values: [...LISTED_STATES] },
            ],
            MaxResults: DESCRIBE_PAGE_SIZE,
            NextToken: nextToken,
          }),
        ),
      );
      for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
        const listed = toFleetInstance(instance);
        if (listed === undefined) continue;
        instances.push(listed);
        if (tagValue(instance, PHASE_TAG) === DRAINING_PHASE) tagged.add(listed.id);
      }
      nextToken = page.NextToken === "" ? undefined : page.NextToken;
    } while (nextToken !== undefined);
    this.tagged = tagged;
    return [...instances, ...this.stillUnlisted(instances)];
  }

  /**
   * RunInstances for `count` instances with the action id as ClientToken; returns the ones EC2 started (fewer
   * than `count` when capacity is short). With `subnetIds`, a subnet without capacity hands over to the next one.
   */
  async launch(count: number, action: FleetAction): Promise<readonly FleetInstance[]> {
    checkCount(count, "ec2 launch");
    checkActionId(action.id, "ec2 launch");
    if (count === 0) return [];
    const { sdk, client } = await this.connect();
    const subnets: readonly (string | undefined)[] =
      this.options.subnetIds.length === 0 ? [undefined] : this.options.subnetIds;
    for (const [index, subnet] of subnets.entries()) {
      const request = runInstancesRequest(this.options, count, action, subnet, index);
      try {
        const response = await client.send(new sdk.RunInstancesCommand(request));
        const launched = (response.Instances ?? []).flatMap((instance) => toFleetInstance(instance) ?? []);
        const at = this.options.now();
        for (const instance of launched) this.unlisted.set(instance.id, { instance, at });
        this.logLaunch(count, action, launched, subnet);
        return launched;
      } catch (error) {
        const last = index === subnets.length - 1;
        if (last || awsFleetErrorCode(error) !== "InsufficientInstanceCapacity") {
          throw toFleetError(error, `RunInstances (action ${action.id})`);
        }
        this.options.logger.warn(
          { fleet: this.options.name, action: action.id, subnet, next: subnets[index + 1] },
          "ec2 fleet: no capacity in this subnet, trying the next",
        );
      }
    }
    return [];
  }

  /** Tags the instances `thrift-queue:phase=draining` (once each; instances already gone are fine). */
  async drain(instanceIds: readonly string[], action: FleetAction): Promise<void> {
    checkActionId(action.id, "ec2 drain");
    const { sdk, client } = await this.connect();
    const untagged = uniqueIds(instanceIds).filter((id) => !this.tagged.has(id));
    for (const batch of chunksOf(untagged, EC2_IDS_PER_CALL)) {
      await this.sendSkippingMissing("CreateTags", batch, (ids) =>
        client.send(new sdk.CreateTagsCommand({ Resources: ids, Tags: [{ Key: PHASE_TAG, Value: DRAINING_PHASE }] })),
      );
      for (const id of batch) this.tagged.add(id);
    }
  }

  /** TerminateInstances in batches; instances already gone are fine. */
  async terminate(instanceIds: readonly string[], action: FleetAction): Promise<void> {
    checkActionId(action.id, "ec2 terminate");
    const { sdk, client } = await this.connect();
    for (const batch of chunksOf(uniqueIds(instanceIds), EC2_IDS_PER_CALL)) {
      await this.sendSkippingMissing("TerminateInstances", batch, (ids) =>
        client.send(new sdk.TerminateInstancesCommand({ InstanceIds: ids })),
      );
      for (const id of batch) {
        this.tagged.delete(id);
        this.unlisted.delete(id);
      }
      this.options.logger.info(
        { fleet: this.options.name, action: action.id, fencingToken: action.fencingToken, instances: batch },
        "ec2 fleet: terminating instances",
      );
    }
  }

  /** RebootInstances: an OS reboot keeps the instance (and its id); the worker's unit starts again at boot. */
  async recover(instanceId: string, action: FleetAction): Promise<void> {
    checkActionId(action.id, "ec2 recover");
    const { sdk, client } = await this.connect();
    await this.sendSkippingMissing("RebootInstances", [instanceId], (ids) =>
      client.send(new sdk.RebootInstancesCommand({ InstanceIds: ids })),
    );
    this.options.logger.info(
      { fleet: this.options.name, action: action.id, instance: instanceId },
      "ec2 fleet: reboot",
    );
  }

  /** Idempotent; destroys the client only when the fleet made it. */
  close(): Promise<void> {
    this.closed = true;
    this.made?.destroy();
    this.made = undefined;
    return Promise.resolve();
  }

  /** The launched instances DescribeInstances did not show, within the grace period; forgets the rest. */
  private stillUnlisted(listed: readonly FleetInstance[]): FleetInstance[] {
    const seen = new Set(listed.map((instance) => instance.id));
    const now = this.options.now();
    const missing: FleetInstance[] = [];
    for (const [id, { instance, at }] of this.unlisted) {
      if (seen.has(id) || now - at > UNLISTED_LAUNCH_GRACE_MS) this.unlisted.delete(id);
      else missing.push(instance);
    }
    return missing;
  }

  private logLaunch(count: number, action: FleetAction, launched: readonly FleetInstance[], subnet?: string): void {
    const context = {
      fleet: this.options.name,
      action: action.id,
      fencingToken: action.fencingToken,
      requested: count,
      instances: launched.map((instance) => instance.id),
      ...(subnet === undefined ? {} : { subnet }),
    };
    if (launched.length < count) {
      this.options.logger.warn(context, `ec2 fleet: partial capacity, launched ${launched.length} of ${count}`);
    } else {
      this.options.logger.info(context, `ec2 fleet: launched ${launched.length}`);
    }
  }

  /**
   * Sends a call over `ids`, leaving out the ids EC2 says do not exist. EC2 fails the whole call when one id is
   * unknown and names the unknown ids in the message; when it names none we can match, each id goes alone.
   */
  private async sendSkippingMissing(
    operation: string,
    ids: readonly string[],
    send: (ids: string[]) => Promise<unknown>,
  ): Promise<void> {
    if (ids.length === 0) return;
    try {
      await send([...ids]);
    } catch (error) {
      if (awsFleetErrorCode(error) !== NOT_FOUND) throw toFleetError(error, operation);
      const missing = new Set(awsErrorMessage(error).match(/\bi-[0-9a-f]{8,17}\b/g) ?? []);
      const rest = ids.filter((id) => !missing.has(id));
      if (rest.length === ids.length) {
        if (ids.length === 1) return;
        for (const id of ids) await this.sendSkippingMissing(operation, [id], send);
        return;
      }
      this.options.logger.debug({ fleet: this.options.name, operation, gone: [...missing] }, "ec2 fleet: gone");
      await this.sendSkippingMissing(operation, rest, send);
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toFleetError(error, operation);
    }
  }

  private async connect(): Promise<{ sdk: Ec2Module; client: EC2Client }> {
    throwIfClosed(this.closed, "ec2");
    const ec2 = await loadEc2Sdk();
    if (this.options.client !== undefined) return { sdk: ec2, client: this.options.client };
    const { region, endpoint, credentials } = this.options;
    this.made ??= new ec2.EC2Client({ region, endpoint, credentials });
    return { sdk: ec2, client: this.made };
  }
}

/** An ec2 fleet; throws `SCALER_CONFIG` naming every bad option at once. */
export function createEc2Fleet(options: Ec2FleetOptions): Ec2Fleet {
  return new Ec2Fleet(options);
}
