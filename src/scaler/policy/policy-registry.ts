/** The policies `npm run bench:scaler` compares, by their benchmark names. */
import { awsTargetTrackingPolicy } from "./aws-target-tracking-policy.ts";
import { kedaHpaPolicy } from "./keda-hpa-policy.ts";
import { rule2008Policy } from "./rule-2008-policy.ts";
import type { ScalingLimits, ScalingPolicy } from "./scaling-policy.ts";
import { type ThriftQueuePolicyOptions, thriftQueuePolicy } from "./thrift-queue-policy.ts";

/** Every policy name, ours first. */
export const policyNames = ["thrift-queue", "aws-target-tracking", "keda-hpa", "rule-2008"] as const;

/** A policy name. */
export type PolicyName = (typeof policyNames)[number];

/** What the factories need beyond the limits. */
export interface PolicyRegistryOptions {
  /** The true mean job time: AWS's target W/T and the 2008 rule's fixed T (thrift-queue learns T itself). */
  readonly serviceTimeMs: number;
  /** Options of the thrift-queue policy. */
  readonly thriftQueue?: ThriftQueuePolicyOptions;
}

/** A policy by name, with its default settings. */
export function createPolicy(name: PolicyName, limits: ScalingLimits, options: PolicyRegistryOptions): ScalingPolicy {
  switch (name) {
    case "thrift-queue":
      return thriftQueuePolicy(limits, options.thriftQueue);
    case "aws-target-tracking":
      return awsTargetTrackingPolicy(limits, { serviceTimeMs: options.serviceTimeMs });
    case "keda-hpa":
      return kedaHpaPolicy(limits);
    case "rule-2008":
      return rule2008Policy(limits, { serviceTimeMs: options.serviceTimeMs });
  }
}
