/**
 * Small rules the ec2 and asg fleets share: the checks of the connection options (region, endpoint), of the
 * arguments every mutating call gets (action id, count), and the splitting of id lists into per-call batches.
 */
import { ScalerError } from "../../errors.ts";

/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1` … */
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Every problem with the region and endpoint options, as sentences (empty when they are valid). */
export function connectionProblems(region: string | undefined, endpoint: string | undefined): string[] {
  const problems: string[] = [];
  if (region !== undefined && !REGION.test(region)) {
    problems.push(`region ${JSON.stringify(region)} is not an AWS region name such as us-east-1`);
  }
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) problems.push("endpoint must be an http(s) URL");
  return problems;
}

/** The region to give the SDK: the one set, else `us-east-1` with an endpoint (emulators), else the SDK's chain. */
export function effectiveRegion(region: string | undefined, endpoint: string | undefined): string | undefined {
  return region ?? (endpoint === undefined ? undefined : "us-east-1");
}

/** Throws `SCALER_CONFIG` naming every problem at once, when there are any. */
export function throwIfProblems(what: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new ScalerError("SCALER_CONFIG", `invalid ${what} options: ${problems.join("; ")}`);
}

/** Checks an action id against the contract's rule (also EC2's ClientToken rule): 1–64 ASCII letters, digits, `-`. */
export function checkActionId(id: string, doing: string): void {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    throw new ScalerError(
      "SCALER_FLEET_FAILED",
      `${doing}: action id ${JSON.stringify(id)} must be 1 to 64 ASCII letters, digits or -`,
    );
  }
}

/** Checks a launch count: a whole number, at least 0. */
export function checkCount(count: number, doing: string): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new ScalerError("SCALER_FLEET_FAILED", `${doing}: count must be a whole number, not ${String(count)}`);
  }
}

/** Splits `items` into consecutive chunks of at most `size` (an API's per-call limit). */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** The ids once each, in their first order (a caller's duplicate must not become a duplicate in a request). */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Rejects calls on a closed fleet with `SCALER_CLOSED`. */
export function throwIfClosed(closed: boolean, kind: string): void {
  if (closed) throw new ScalerError("SCALER_CLOSED", `the ${kind} fleet is closed`);
}
