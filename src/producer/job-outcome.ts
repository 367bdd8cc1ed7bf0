/**
 * What a final job record means for the caller of a two-way method: the decoded return value, or the error to
 * reject with. Pure: the bytes come from a status store, written by a worker in any language, so every decoding
 * failure is a typed error, never a crash.
 */
import type { MethodDescriptor } from "../codec/service-descriptor.ts";
import { DeclaredException } from "../consumer/declared-exception.ts";
import { ConfigError, JobFailedError, toThriftQueueError } from "../errors.ts";
import type { JobRecord } from "../status/status-store.ts";
import type { SuccessOf } from "./call-channel.ts";

/**
 * The return value recorded for a final job, or throws: `DeclaredException` for a declared exception,
 * `JobFailedError` for `dead`, `cancelled` and undeclared failures, `CodecError` for unreadable result bytes.
 */
export function outcomeOf<Result>(method: MethodDescriptor<unknown, Result>, record: JobRecord): SuccessOf<Result> {
  const codec = method.result;
  if (codec === undefined) {
    throw new ConfigError("CONFIG_INVALID", `${method.name} is oneway: it has no result to wait for`);
  }
  switch (record.state) {
    case "succeeded":
      return successOf(method, record, codec.decode.bind(codec));
    case "failed":
      throw failureOf(method, record, codec.decode.bind(codec));
    case "dead":
      throw new JobFailedError("JOB_DEAD", record.id, describe(record, "is dead"), record.error);
    case "cancelled":
      throw new JobFailedError("JOB_CANCELLED", record.id, describe(record, "was cancelled"), record.error);
    case "queued":
    case "running":
    case "retrying":
      throw new ConfigError("CONFIG_INVALID", `job ${record.id} is ${record.state}, not in a final state`);
  }
}

type Decode = (bytes: Uint8Array) => unknown;

function successOf<Result>(
  method: MethodDescriptor<unknown, Result>,
  record: JobRecord,
  decode: Decode,
): SuccessOf<Result> {
  const isVoid = method.def.returnType === null;
  if (record.result === undefined) {
    if (isVoid) return undefined as SuccessOf<Result>;
    throw new JobFailedError("JOB_RESULT_MISSING", record.id, `job ${record.id} succeeded but no result was recorded`);
  }
  const success = ownField(fieldsOf(decode(record.result)), "success");
  if (success !== undefined || isVoid) return success as SuccessOf<Result>;
  throw new JobFailedError("JOB_RESULT_MISSING", record.id, `job ${record.id} succeeded but its result has no value`);
}

/** The error a `failed` record stands for: its declared exception when the result carries one. */
function failureOf(method: MethodDescriptor, record: JobRecord, decode: Decode): Error {
  if (record.result !== undefined) {
    let fields: Readonly<Record<string, unknown>>;
    try {
      fields = fieldsOf(decode(record.result));
    } catch (error) {
      return new JobFailedError("JOB_FAILED", record.id, describe(record, "failed"), record.error, {
        cause: toThriftQueueError(error),
      });
    }
    const exceptions = method.exceptions ?? {};
    for (const field of method.def.throws) {
      // Own properties only: an exception field may be named `constructor` or `toString`.
      const value = ownField(fields, field.name);
      const codec = ownField(exceptions, field.name);
      if (value !== undefined && codec !== undefined) return new DeclaredException(codec, value);
    }
  }
  return new JobFailedError("JOB_FAILED", record.id, describe(record, "failed"), record.error);
}

function ownField<T>(object: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

function fieldsOf(decoded: unknown): Readonly<Record<string, unknown>> {
  return typeof decoded === "object" && decoded !== null ? (decoded as Record<string, unknown>) : {};
}

function describe(record: JobRecord, what: string): string {
  const reason = record.error === undefined ? "" : `: ${record.error.type}: ${record.error.message}`;
  return `job ${record.id} ${what}${reason}`;
}
