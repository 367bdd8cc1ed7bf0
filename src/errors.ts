/** Options shared by every thrift-queue error. */
export interface ThriftQueueErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Whether retrying the same operation may succeed. @defaultValue false */
  retryable?: boolean;
}

/** Base class of every error thrown by thrift-queue; `code` is stable and machine-readable. */
export class ThriftQueueError extends Error {
  /** Stable machine-readable code, for example `CODEC_TRUNCATED`. */
  readonly code: string;
  /** Whether retrying the same operation may succeed. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: ThriftQueueErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Codes of {@link CodecError}. */
export type CodecErrorCode =
  | "CODEC_TRUNCATED"
  | "CODEC_NEGATIVE_SIZE"
  | "CODEC_LIMIT_EXCEEDED"
  | "CODEC_DEPTH_EXCEEDED"
  | "CODEC_BAD_VERSION"
  | "CODEC_BAD_TYPE"
  | "CODEC_INVALID_UTF8"
  | "CODEC_MISSING_REQUIRED"
  | "CODEC_INVALID_VALUE"
  | "CODEC_UNION"
  | "CODEC_UNKNOWN";

/** A value could not be encoded, or bytes could not be decoded. `path` locates the field, e.g. `a["k"][1].b`. */
export class CodecError extends ThriftQueueError {
  declare readonly code: CodecErrorCode;
  /** Field path inside the value, empty at the top level. */
  readonly path: string;
  /** The message without the path prefix. */
  readonly detail: string;

  constructor(code: CodecErrorCode, detail: string, path = "", options: ThriftQueueErrorOptions = {}) {
    super(code, path ? `${path}: ${detail}` : detail, options);
    this.path = path;
    this.detail = detail;
  }

  /** Returns a copy of this error whose path has `segment` in front (`.name` or `[3]` or `["k"]`). */
  withPathPrefix(segment: string): CodecError {
    const path = this.path === "" ? stripLeadingDot(segment) : `${stripLeadingDot(segment)}${joinSegment(this.path)}`;
    const copy = new CodecError(this.code, this.detail, path, { cause: this.cause, retryable: this.retryable });
    copy.stack = this.stack;
    return copy;
  }
}

function stripLeadingDot(segment: string): string {
  return segment.startsWith(".") ? segment.slice(1) : segment;
}

function joinSegment(path: string): string {
  return path.startsWith("[") ? path : `.${path}`;
}

/** Codes of {@link GeneratorError}. */
export type GeneratorErrorCode =
  "GEN_SYNTAX" | "GEN_INCLUDE_NOT_FOUND" | "GEN_UNRESOLVED" | "GEN_DUPLICATE" | "GEN_INVALID" | "GEN_IO";

/** Where in an IDL file something is. Lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** An IDL file could not be parsed, resolved or validated; the message starts with `file:line:col:`. */
export class GeneratorError extends ThriftQueueError {
  declare readonly code: GeneratorErrorCode;
  readonly location: SourceLocation | undefined;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(code: GeneratorErrorCode, detail: string, location?: SourceLocation, options?: ThriftQueueErrorOptions) {
    super(code, location ? `${location.file}:${location.line}:${location.column}: ${detail}` : detail, options);
    this.location = location;
    this.detail = detail;
  }
}

/** Codes of {@link ConfigError}. */
export type ConfigErrorCode = "CONFIG_INVALID" | "CONFIG_USAGE" | "CONFIG_NOT_FOUND";

/** Options, URLs or command-line arguments are invalid. */
export class ConfigError extends ThriftQueueError {
  declare readonly code: ConfigErrorCode;
  constructor(code: ConfigErrorCode, message: string, options?: ThriftQueueErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link TransportError}. */
export type TransportErrorCode =
  | "TRANSPORT_CLOSED"
  | "TRANSPORT_PAYLOAD_TOO_LARGE"
  | "TRANSPORT_LEASE_LOST"
  | "TRANSPORT_UNAVAILABLE"
  | "TRANSPORT_REJECTED"
  | "TRANSPORT_UNSUPPORTED"
  | "TRANSPORT_INVALID_MESSAGE";

/** Options of a {@link TransportError}: which queue and messages it concerns. */
export interface TransportErrorOptions extends ThriftQueueErrorOptions {
  queue?: string;
  messageIds?: readonly string[];
}

/** A broker or transport failed or refused an operation. `retryable` tells whether trying again may work. */
export class TransportError extends ThriftQueueError {
  declare readonly code: TransportErrorCode;
  /** The queue concerned, when known. */
  readonly queue: string | undefined;
  /** The job ids concerned, when known. */
  readonly messageIds: readonly string[];

  constructor(code: TransportErrorCode, message: string, options: TransportErrorOptions = {}) {
    super(code, message, options);
    this.queue = options.queue;
    this.messageIds = options.messageIds ?? [];
  }
}

/** Codes of {@link HandlerError}. */
export type HandlerErrorCode =
  | "HANDLER_FAILED"
  | "HANDLER_UNKNOWN_METHOD"
  | "HANDLER_DECLARED_EXCEPTION"
  | "HANDLER_INVALID_PROGRESS"
  | "HANDLER_ABORTED";

/** A job's handler failed: it threw, the method is unknown, or it raised an exception the IDL declares. */
export class HandlerError extends ThriftQueueError {
  declare readonly code: HandlerErrorCode;
  constructor(code: HandlerErrorCode, message: string, options?: ThriftQueueErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link TimeoutError}. */
export type TimeoutErrorCode = "HANDLER_TIMEOUT" | "DEADLINE_EXCEEDED" | "RESULT_TIMEOUT";

/**
 * A job ran past its timeout (`HANDLER_TIMEOUT`) or past the deadline its producer set (`DEADLINE_EXCEEDED`), or a
 * producer stopped waiting for a two-way call's result (`RESULT_TIMEOUT`).
 */
export class TimeoutError extends ThriftQueueError {
  declare readonly code: TimeoutErrorCode;
  constructor(code: TimeoutErrorCode, message: string, options?: ThriftQueueErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link JobFailedError}: the final state the job reached, or a success recorded without its value. */
export type JobFailedErrorCode = "JOB_FAILED" | "JOB_DEAD" | "JOB_CANCELLED" | "JOB_RESULT_MISSING";

/** Why a job failed, as its status record says (the shape of the status store's `JobError`). */
export interface RecordedJobError {
  readonly type: string;
  readonly message: string;
}

/** What a two-way call's `result()` rejects with when the job did not succeed and no declared exception says why. */
export class JobFailedError extends ThriftQueueError {
  declare readonly code: JobFailedErrorCode;
  /** The job concerned. */
  readonly jobId: string;
  /** The recorded error (`dead` and undeclared `failed` jobs have one; `cancelled` ones usually not). */
  readonly jobError: RecordedJobError | undefined;

  constructor(
    code: JobFailedErrorCode,
    jobId: string,
    message: string,
    jobError?: RecordedJobError,
    options?: ThriftQueueErrorOptions,
  ) {
    super(code, message, options);
    this.jobId = jobId;
    this.jobError = jobError;
  }
}

/** Codes of {@link StatusStoreError}. */
export type StatusStoreErrorCode =
  "STORE_UNAVAILABLE" | "STORE_CLOSED" | "STORE_INVALID_QUERY" | "STORE_INVALID_RECORD" | "STORE_FAILED";

/** A status store failed or refused an operation. `STORE_UNAVAILABLE` is retryable. */
export class StatusStoreError extends ThriftQueueError {
  declare readonly code: StatusStoreErrorCode;
  constructor(code: StatusStoreErrorCode, message: string, options?: ThriftQueueErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link ScalerError}. */
export type ScalerErrorCode =
  | "SCALER_CONFIG"
  | "SCALER_FLEET_FAILED"
  | "SCALER_FLEET_THROTTLED"
  | "SCALER_INSUFFICIENT_CAPACITY"
  | "SCALER_NOT_LEADER"
  | "SCALER_CLOSED";

/**
 * The scaler or a fleet failed or refused an action. `SCALER_FLEET_THROTTLED` and
 * `SCALER_INSUFFICIENT_CAPACITY` are retryable; `SCALER_NOT_LEADER` means the lease moved on and the action was not
 * taken.
 */
export class ScalerError extends ThriftQueueError {
  declare readonly code: ScalerErrorCode;
  constructor(code: ScalerErrorCode, message: string, options?: ThriftQueueErrorOptions) {
    super(code, message, options);
  }
}

/** Codes of {@link StatusApiError}. */
export type StatusApiErrorCode =
  | "API_NOT_FOUND"
  | "API_JOB_NOT_FOUND"
  | "API_METHOD_NOT_ALLOWED"
  | "API_INVALID_PARAMETER"
  | "API_URI_TOO_LONG"
  | "API_INTERNAL";

/** A status API request that cannot be answered as asked; `status` is the HTTP status it is answered with. */
export class StatusApiError extends ThriftQueueError {
  declare readonly code: StatusApiErrorCode;
  /** The HTTP status code of the response. */
  readonly status: number;
  constructor(code: StatusApiErrorCode, status: number, message: string, options?: ThriftQueueErrorOptions) {
    super(code, message, options);
    this.status = status;
  }
}

/** Wraps anything thrown into a {@link ThriftQueueError}, for use at boundaries (CLI, workers). */
export function toThriftQueueError(error: unknown): ThriftQueueError {
  if (error instanceof ThriftQueueError) return error;
  if (error instanceof Error) return new ThriftQueueError("UNKNOWN", error.message, { cause: error });
  return new ThriftQueueError("UNKNOWN", String(error), { cause: error });
}
