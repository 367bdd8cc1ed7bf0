/**
 * What one launch asks EC2 for: the RunInstances request of the ec2 fleet. `MinCount: 1, MaxCount: count`, so
 * EC2 launches what capacity it has rather than nothing; the action id as ClientToken, so a retried launch
 * returns the instances the first one started; the fleet's tags on the instances and their volumes (the IAM
 * policy keys on them, docs/scaling-iam.md); the user data base64-encoded as EC2 requires.
 */
import { createHash } from "node:crypto";
import type { RunInstancesCommandInput } from "@aws-sdk/client-ec2";
import type { FleetAction } from "../fleet.ts";
import type { ResolvedEc2FleetOptions } from "./ec2-fleet-options.ts";
import { launchTags } from "./ec2-instances.ts";
import { encodeUserData } from "./ec2-user-data.ts";

/** The RunInstances request for `count` instances of `action`, in `subnet` (the `subnetIndex`-th choice). */
export function runInstancesRequest(
  options: ResolvedEc2FleetOptions,
  count: number,
  action: FleetAction,
  subnet: string | undefined,
  subnetIndex: number,
): RunInstancesCommandInput {
  const { launchTemplateId, launchTemplateName, launchTemplateVersion, userDataScript } = options;
  const tags = launchTags(options.name, action, options.tags);
  const template =
    launchTemplateId === undefined
      ? { LaunchTemplateName: launchTemplateName }
      : { LaunchTemplateId: launchTemplateId };
  return {
    LaunchTemplate: { ...template, Version: launchTemplateVersion },
    MinCount: 1,
    MaxCount: count,
    ClientToken: clientToken(action.id, subnet, subnetIndex),
    TagSpecifications: [
      { ResourceType: "instance", Tags: tags },
      { ResourceType: "volume", Tags: tags },
    ],
    ...(userDataScript === undefined ? {} : { UserData: encodeUserData(userDataScript) }),
    ...(subnet === undefined ? {} : { SubnetId: subnet }),
  };
}

/**
 * The ClientToken of a launch: the action id in the first subnet. A fallback subnet gets a token of its own (a
 * hash of the action id and subnet, 64 hex characters), since EC2 refuses a token reused with other parameters.
 */
export function clientToken(actionId: string, subnet: string | undefined, subnetIndex: number): string {
  if (subnetIndex === 0 || subnet === undefined) return actionId;
  return createHash("sha256").update(`${actionId}\n${subnet}`).digest("hex");
}
