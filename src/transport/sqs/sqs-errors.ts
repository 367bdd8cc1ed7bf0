/**
 * Turns what the AWS SDK throws into {@link TransportError}s that say whether a retry may help. The SDK's errors
 * carry the service's error code as `name` (JSON protocol) and sometimes `Code`; network failures carry Node's
 * `code`. Pure: no SDK import, so it is tested without AWS.
 */
import { TransportError, type TransportErrorCode } from "../../errors.ts";

/** The fields of an SDK or network error this module reads. */
interface AwsErrorShape {
  readonly name?: unknown;
  readonly Code?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** Error codes meaning: this receipt handle no longer holds the message (it was received again, or deleted). */
const LEASE_LOST_CODES = new Set(["ReceiptHandleIsInvalid", "MessageNotInflight", "InvalidReceiptHandle"]);

/** Error codes meaning: the queue (or its dead-letter queue) does not exist. */
const QUEUE_MISSING_CODES = new Set(["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NoSuchQueue"]);

/** Error codes of credentials, permissions and signing problems: retrying the same call does not help. */
const ACCESS_CODES = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidSecurity",
  "CredentialsProviderError",
  "KmsAccessDenied",
]);

/** Throttling and transient service errors the SDK may already have retried; trying later may work. */
const RETRYABLE_CODES = new Set([
  "RequestThrottled",
  "ThrottlingException",
  "Throttling",
  "OverLimit",
  "KmsThrottled",
  "ServiceUnavailable",
  "InternalError",
  "InternalFailure",
  "RequestTimeout",
  "TimeoutError",
  "PurgeQueueInProgress",
  "SlowDown",
]);

/** Node's network error codes. */
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);

/** The service error code of an SDK error (`QueueDoesNotExist` …), or undefined for anything else. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { Code, name, code } = error as AwsErrorShape;
  if (typeof Code === "string" && Code !== "") return Code;
  if (typeof name === "string" && name !== "" && name !== "Error") return name;
  return typeof code === "string" && code !== "" ? code : undefined;
}

/** Whether SQS said the receipt handle no longer holds the message. */
export function isLeaseLostError(error: unknown): boolean {
  const code = awsErrorCode(error);
  if (code !== undefined && LEASE_LOST_CODES.has(code)) return true;
  // Real SQS answers a stale handle on ChangeMessageVisibility with InvalidParameterValue naming the handle.
  return code === "InvalidParameterValue" && /receipt ?handle/i.test(messageOf(error));
}

/** Whether the error says the queue does not exist. */
export function isQueueMissingError(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && QUEUE_MISSING_CODES.has(code);
}

/** Whether the error came from the caller aborting the request (a closing transport). */
export function isAbortError(error: unknown): boolean {
  return awsErrorCode(error) === "AbortError";
}

/** Whether trying the same call again later may succeed: throttling, server faults, network failures. */
export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const shape = error as AwsErrorShape;
  const code = awsErrorCode(error);
  if (code !== undefined && (ACCESS_CODES.has(code) || QUEUE_MISSING_CODES.has(code))) return false;
  if (code !== undefined && (RETRYABLE_CODES.has(code) || NETWORK_CODES.has(code))) return true;
  if (typeof shape.code === "string" && NETWORK_CODES.has(shape.code)) return true;
  if (shape.$retryable !== undefined && shape.$retryable !== null) return true;
  if (shape.$fault === "server") return true;
  const status = shape.$metadata?.httpStatusCode;
  return typeof status === "number" && (status >= 500 || status === 429);
}

/**
 * Wraps an SDK error: a stale receipt handle is `TRANSPORT_LEASE_LOST`; an aborted request `TRANSPORT_CLOSED`; a
 * missing queue, bad credentials or an unreachable service `TRANSPORT_UNAVAILABLE` (retryable where trying again
 * may help); other client faults `TRANSPORT_REJECTED`. TransportErrors pass through.
 */
export function toSqsTransportError(
  error: unknown,
  doing: string,
  queue: string,
  messageIds: readonly string[] = [],
): TransportError {
  if (error instanceof TransportError) return error;
  const code = awsErrorCode(error);
  const detail =
    code !== undefined && !messageOf(error).startsWith(code) ? `${code}: ${messageOf(error)}` : messageOf(error);
  const make = (transportCode: TransportErrorCode, message: string, retryable = false): TransportError =>
    new TransportError(transportCode, message, { cause: error, retryable, queue, messageIds });
  if (isLeaseLostError(error)) {
    return make("TRANSPORT_LEASE_LOST", `${doing}: the lease was lost (the message was received again): ${detail}`);
  }
  if (isAbortError(error)) return make("TRANSPORT_CLOSED", `${doing}: the transport is closing`);
  if (isQueueMissingError(error)) {
    const hint = "create it (option `create`, or `queues create`), or check the queue name, region and account";
    return make("TRANSPORT_UNAVAILABLE", `${doing}: the queue does not exist; ${hint}: ${detail}`);
  }
  if (code !== undefined && ACCESS_CODES.has(code)) {
    return make("TRANSPORT_UNAVAILABLE", `${doing}: access denied (check the AWS credentials): ${detail}`);
  }
  if (isRetryableAwsError(error)) return make("TRANSPORT_UNAVAILABLE", `${doing}: ${detail}`, true);
  const fault = (error as AwsErrorShape | null)?.$fault;
  if (fault === "client") return make("TRANSPORT_REJECTED", `${doing}: ${detail}`);
  return make("TRANSPORT_UNAVAILABLE", `${doing}: ${detail}`);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null) {
    const { message } = error as AwsErrorShape;
    if (typeof message === "string") return message;
  }
  return String(error);
}
