/**
 * Turns what the EC2 and Auto Scaling SDK clients throw into {@link ScalerError}s the scaler can act on: retry
 * later (throttled, capacity), or give up and report. Shared by the ec2 and asg fleets. Pure: no SDK import.
 *
 * The SDKs put the service's error code in `name` (EC2: `InvalidInstanceID.NotFound`; Auto Scaling: the modeled
 * class name `ResourceContentionFault` or the wire code `Throttling`), sometimes in `Code`; network failures carry
 * Node's `code`.
 */
import { ScalerError, type ScalerErrorCode } from "../../errors.ts";

/** The fields of an SDK or network error this module reads. */
interface AwsErrorShape {
  readonly name?: unknown;
  readonly Code?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** Codes meaning "too many requests, or the resource is busy": the same call later may work. */
const THROTTLED_CODES = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "RequestThrottled",
  "TooManyRequestsException",
  "ScalingActivityInProgress",
  "ResourceContention",
  "IdempotentCallInProgress",
]);

/** Codes meaning "no capacity or quota for more instances now". */
const CAPACITY_CODES = new Set([
  "InsufficientInstanceCapacity",
  "InstanceLimitExceeded",
  "VcpuLimitExceeded",
  "InsufficientCapacity",
  "InsufficientHostCapacity",
  "InsufficientReservedInstanceCapacity",
  "MaxSpotInstanceCountExceeded",
]);

/** Credentials and permission problems: retrying does not help; the hint points to the IAM policy. */
const ACCESS_CODES = new Set([
  "UnauthorizedOperation",
  "AccessDenied",
  "AccessDeniedException",
  "AuthFailure",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "CredentialsProviderError",
]);

/** Server faults and network failures: retryable, but not throttling. */
const TRANSIENT_CODES = new Set([
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "Unavailable",
  "RequestTimeout",
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * The service error code of an SDK error, without the Auto Scaling SDK's `Fault` suffix (so
 * `ResourceContentionFault` and `ResourceContention` compare equal), or undefined for anything else.
 */
export function awsFleetErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { Code, name, code } = error as AwsErrorShape;
  const raw =
    typeof Code === "string" && Code !== ""
      ? Code
      : typeof name === "string" && name !== "" && name !== "Error"
        ? name
        : typeof code === "string" && code !== ""
          ? code
          : undefined;
  if (raw === undefined) return undefined;
  return raw.endsWith("Fault") ? raw.slice(0, -"Fault".length) : raw;
}

/** The error's message, or its string form. */
export function awsErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null) {
    const { message } = error as AwsErrorShape;
    if (typeof message === "string") return message;
  }
  return String(error);
}

/**
 * Wraps an SDK error thrown while `doing` something: throttling and busy resources are `SCALER_FLEET_THROTTLED`,
 * missing capacity or quota `SCALER_INSUFFICIENT_CAPACITY` (both retryable); an EC2 client token reused with other
 * parameters, denied access and every other error `SCALER_FLEET_FAILED` (retryable for server faults and network
 * failures). The SDK error is the cause; ScalerErrors pass through.
 */
export function toFleetError(error: unknown, doing: string): ScalerError {
  if (error instanceof ScalerError) return error;
  const code = awsFleetErrorCode(error);
  const message = awsErrorMessage(error);
  const detail = code !== undefined && !message.startsWith(code) ? `${code}: ${message}` : message;
  const make = (scalerCode: ScalerErrorCode, text: string, retryable: boolean): ScalerError =>
    new ScalerError(scalerCode, `${doing}: ${text}`, { cause: error, retryable });
  if (code !== undefined && THROTTLED_CODES.has(code)) return make("SCALER_FLEET_THROTTLED", detail, true);
  if (code !== undefined && CAPACITY_CODES.has(code)) return make("SCALER_INSUFFICIENT_CAPACITY", detail, true);
  if (code === "IdempotentParameterMismatch" || code === "IdempotentParameterMismatchError") {
    const why = "the action id was already used as a client token for a request with different parameters";
    return make("SCALER_FLEET_FAILED", `${why} (a new action needs a new id): ${detail}`, false);
  }
  if (code !== undefined && ACCESS_CODES.has(code)) {
    return make("SCALER_FLEET_FAILED", `access denied (see docs/scaling-iam.md): ${detail}`, false);
  }
  return make("SCALER_FLEET_FAILED", detail, isTransient(error, code));
}

function isTransient(error: unknown, code: string | undefined): boolean {
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  if (typeof error !== "object" || error === null) return false;
  const shape = error as AwsErrorShape;
  if (shape.$fault === "server") return true;
  const status = shape.$metadata?.httpStatusCode;
  return typeof status === "number" && (status >= 500 || status === 429);
}
