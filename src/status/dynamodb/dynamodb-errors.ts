/**
 * Turns what the AWS SDK throws into {@link StatusStoreError}s: throttling, network failures, timeouts and 5xx
 * answers are `STORE_UNAVAILABLE` (retryable; the SDK has already retried them `maxAttempts` times); an item too
 * large is `STORE_INVALID_RECORD`; anything else (a missing table, access denied, no credentials …) is
 * `STORE_FAILED`. The SDK error is kept as `cause`, never thrown as it is.
 */
import { StatusStoreError } from "../../errors.ts";

/** Error names of DynamoDB and the SDK that mean "try again later". */
const UNAVAILABLE_NAMES: ReadonlySet<string> = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "TransactionConflictException",
  "InternalServerError",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "AbortError",
]);

/** Node.js socket error codes of a server that cannot be reached or dropped the connection. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

/** What the SDK and Node attach to their errors. */
interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** Whether an SDK error means the service is unreachable, overloaded or throttling this caller. */
export function isUnavailableError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  if (error instanceof AggregateError) return error.errors.some(isUnavailableError);
  const shape = error as SdkErrorShape;
  if (typeof shape.name === "string" && UNAVAILABLE_NAMES.has(shape.name)) return true;
  if (typeof shape.code === "string" && NETWORK_CODES.has(shape.code)) return true;
  if (typeof shape.$retryable === "object" && shape.$retryable !== null) return true;
  const status = shape.$metadata?.httpStatusCode;
  return typeof status === "number" && status >= 500;
}

/** Whether an SDK error is DynamoDB refusing a write because its condition did not hold. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** Wraps an error from the SDK (StatusStoreErrors pass through); `doing` says what the store was doing. */
export function toDynamoDbStoreError(error: unknown, doing: string): StatusStoreError {
  if (error instanceof StatusStoreError) return error;
  const message = `DynamoDB status store: ${doing}: ${describe(error)}`;
  if (isUnavailableError(error))
    return new StatusStoreError("STORE_UNAVAILABLE", message, { cause: error, retryable: true });
  const name = error instanceof Error ? error.name : "";
  const text = error instanceof Error ? error.message : "";
  if (name === "ValidationException" && /item size|size has exceeded|too large/i.test(text)) {
    return new StatusStoreError("STORE_INVALID_RECORD", message, { cause: error });
  }
  if (name === "ResourceNotFoundException") {
    return new StatusStoreError(
      "STORE_FAILED",
      `${message} (is the table there, with its indexes? open with create=true or call ensureDynamoDbStatusTable())`,
      { cause: error },
    );
  }
  return new StatusStoreError("STORE_FAILED", message, { cause: error });
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) {
    const { code } = error as SdkErrorShape;
    const message = error.message === "" || error.message === "UnknownError" ? error.name : error.message;
    const name = error.name !== "Error" && !message.includes(error.name) ? `${error.name}: ` : "";
    return `${name}${message}${typeof code === "string" && !message.includes(code) ? ` (${code})` : ""}`;
  }
  return String(error);
}
