/**
 * How the ec2 fleet marks its instances with tags and reads them back as {@link FleetInstance}s.
 *
 * Phases from EC2 instance states: `pending` → booting; `running` → running, or draining once the fleet tagged it
 * `thrift-queue:phase=draining`; `stopping`/`stopped` → draining: a stopped instance serves nothing (someone
 * stopped it, or a Spot interruption did), so the scaler treats it like one it drains and terminates it once its
 * workers are idle, which they are — remove the fleet tag from an instance you stop on purpose to keep it;
 * `shutting-down` → terminating; `terminated` instances are gone and not listed.
 */
import type { Instance, Tag } from "@aws-sdk/client-ec2";
import type { FleetAction, FleetInstance, InstancePhase } from "../fleet.ts";

/** Prefix of every tag key the fleet writes; users' own tags must not use it. */
export const RESERVED_TAG_PREFIX = "thrift-queue:";
/** Which fleet an instance belongs to (value: the fleet's name). The IAM policy keys on it. */
export const FLEET_TAG = "thrift-queue:fleet";
/** Which scaler action launched an instance (value: the action id). */
export const ACTION_TAG = "thrift-queue:action";
/** The leader lease's fencing token under which the launch was decided. */
export const FENCING_TOKEN_TAG = "thrift-queue:fencing-token";
/** Set to {@link DRAINING_PHASE} when the scaler drains an instance. */
export const PHASE_TAG = "thrift-queue:phase";
/** The value of {@link PHASE_TAG} on a draining instance. */
export const DRAINING_PHASE = "draining";

/** The instance states `list()` asks for: every state but `terminated`. */
export const LISTED_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"] as const;

/** The tags of everything one launch creates: the fleet's own first, then the user's extra tags. */
export function launchTags(fleet: string, action: FleetAction, extra: Readonly<Record<string, string>>): Tag[] {
  return [
    { Key: FLEET_TAG, Value: fleet },
    { Key: ACTION_TAG, Value: action.id },
    { Key: FENCING_TOKEN_TAG, Value: String(action.fencingToken) },
    ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
  ];
}

/** The phase of an instance, from its state and tags. */
export function instancePhase(instance: Instance): InstancePhase {
  const state = instance.State?.Name;
  switch (state) {
    case "running":
      return tagValue(instance, PHASE_TAG) === DRAINING_PHASE ? "draining" : "running";
    case "stopping":
    case "stopped":
      return "draining";
    case "shutting-down":
    case "terminated":
      return "terminating";
    case "pending":
    case undefined:
      return "booting";
  }
}

/** An EC2 instance as the fleet reports it; undefined for one without an id (never sent by EC2). */
export function toFleetInstance(instance: Instance): FleetInstance | undefined {
  if (instance.InstanceId === undefined) return undefined;
  return {
    id: instance.InstanceId,
    phase: instancePhase(instance),
    launchedAt: instance.LaunchTime?.getTime() ?? 0,
  };
}

/** The value of tag `key`, if the instance has it. */
export function tagValue(instance: Instance, key: string): string | undefined {
  return instance.Tags?.find((tag) => tag.Key === key)?.Value;
}
