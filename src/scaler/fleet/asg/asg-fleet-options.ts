/**
 * Options of the asg fleet: the documented interface, its defaults (applied here and nowhere else) and one
 * validation that reports every bad field at once (`ScalerError` `SCALER_CONFIG`).
 */
import type { AutoScalingClient, AutoScalingClientConfig } from "@aws-sdk/client-auto-scaling";
import { silentLogger, type Logger } from "../../../logger.ts";
import { connectionProblems, effectiveRegion, throwIfProblems } from "../aws-fleet-support.ts";

/** Options of {@link createAsgFleet}. */
export interface AsgFleetOptions {
  /** The Auto Scaling group's name. It should have no scaling policies of its own: the scaler sets its capacity. */
  readonly groupName: string;
  /** AWS region. @defaultValue the SDK's chain (AWS_REGION …), else `us-east-1` with an endpoint */
  readonly region?: string;
  /** Endpoint override, for emulators or VPC endpoints. @defaultValue AWS's */
  readonly endpoint?: string;
  /** Credentials for the client the fleet makes. @defaultValue the AWS default provider chain */
  readonly credentials?: AutoScalingClientConfig["credentials"];
  /** The Auto Scaling client to use (not destroyed on close). @defaultValue one made from the options above */
  readonly client?: AutoScalingClient;
  /**
   * The group's termination lifecycle hook (`autoscaling:EC2_INSTANCE_TERMINATING`), if it has one: instances the
   * group terminates wait in `Terminating:Wait` while the scaler drains them, with heartbeats, and are released
   * with CONTINUE once idle. @defaultValue none
   */
  readonly lifecycleHookName?: string;
  /** Where the fleet logs capacity changes and skipped lifecycle actions. @defaultValue silent */
  readonly logger?: Logger;
  /** The clock for `launchedAt` (Auto Scaling does not report launch times; see asg-instances.ts). @defaultValue Date.now */
  readonly now?: () => number;
}

/** {@link AsgFleetOptions} with every default applied. */
export interface ResolvedAsgFleetOptions {
  readonly groupName: string;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly credentials: AutoScalingClientConfig["credentials"] | undefined;
  readonly client: AutoScalingClient | undefined;
  readonly lifecycleHookName: string | undefined;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Auto Scaling's rule for group names: 1 to 255 characters, no control characters. */
const GROUP_NAME = /^[^\p{Cc}]{1,255}$/u;
/** Auto Scaling's rule for lifecycle hook names. */
const HOOK_NAME = /^[A-Za-z0-9\-_/]{1,255}$/;

/** Applies the defaults and checks every field; throws one `SCALER_CONFIG` ScalerError naming every bad field. */
export function resolveAsgFleetOptions(options: AsgFleetOptions): ResolvedAsgFleetOptions {
  const problems: string[] = [];
  const groupName = options.groupName ?? "";
  if (!GROUP_NAME.test(groupName)) {
    problems.push(`groupName ${JSON.stringify(groupName)} must be 1 to 255 characters without control characters`);
  }
  const hook = options.lifecycleHookName;
  if (hook !== undefined && !HOOK_NAME.test(hook)) {
    problems.push(`lifecycleHookName ${JSON.stringify(hook)} must be 1 to 255 of A-Z a-z 0-9 - _ /`);
  }
  problems.push(...connectionProblems(options.region, options.endpoint));
  throwIfProblems("asg fleet", problems);
  return {
    groupName,
    region: effectiveRegion(options.region, options.endpoint),
    endpoint: options.endpoint,
    credentials: options.credentials,
    client: options.client,
    lifecycleHookName: hook,
    logger: options.logger ?? silentLogger,
    now: options.now ?? Date.now,
  };
}
