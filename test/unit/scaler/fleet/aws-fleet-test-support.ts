/**
 * Helpers for the ec2 and asg fleet tests: SDK-shaped service errors (what the clients throw when AWS answers
 * with an error code), a logger that records what it is told, and the fleet actions the tests pass.
 */
import { AutoScalingServiceException } from "@aws-sdk/client-auto-scaling";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { expect } from "vitest";
import { ScalerError } from "../../../../src/errors.ts";
import type { Logger } from "../../../../src/logger.ts";
import type { FleetAction } from "../../../../src/scaler/fleet/fleet.ts";

/** An error as the EC2 client throws it for an error code (EC2 has no modeled errors: `name` is the code). */
export function ec2Error(code: string, message = `${code} (test)`, fault: "client" | "server" = "client"): Error {
  return new EC2ServiceException({ name: code, $fault: fault, $metadata: { httpStatusCode: 400 }, message });
}

/** An error as the Auto Scaling client throws it (`name` is the modeled class name or the wire code). */
export function asgError(name: string, message = `${name} (test)`, fault: "client" | "server" = "client"): Error {
  return new AutoScalingServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode: fault === "server" ? 500 : 400 },
    message,
  });
}

/** One recorded log call. */
export interface LogEntry {
  readonly level: keyof Logger;
  readonly context: object;
  readonly message: string | undefined;
}

/** A logger that keeps every call, to assert what was (and was not) logged. */
export function recordingLogger(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const method =
    (level: keyof Logger) =>
    (context: object, message?: string): void => {
      entries.push({ level, context, message });
    };
  return { entries, debug: method("debug"), info: method("info"), warn: method("warn"), error: method("error") };
}

/** A fleet action with a stable id. */
export function action(id = "act-1", fencingToken = 7): FleetAction {
  return { id, fencingToken };
}

/** Awaits a promise that must reject with a ScalerError, and returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<ScalerError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ScalerError);
  return error as ScalerError;
}
