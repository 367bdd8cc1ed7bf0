/** outcomeOf: the mapping of a final job record to a two-way method's return value or error, field by field. */
import { describe, expect, it } from "vitest";
import {
  DeclaredException,
  JobFailedError,
  outcomeOf,
  type JobRecord,
  type JobState,
  type MethodDescriptor,
  type StructCodec,
} from "thrift-queue";
import { Thumbnails, UnreadableImage } from "../../../examples/quickstart/gen/jobs.ts";

/** A final record of job `j-1`, with a result marker (the fake codec below ignores the bytes). */
function record(state: JobState, extra: Partial<JobRecord> = {}): JobRecord {
  return {
    id: "j-1",
    service: "S",
    method: "m",
    state,
    attempt: 1,
    progress: undefined,
    progressMessage: undefined,
    workerId: "w",
    queue: "q",
    enqueuedAt: 1,
    startedAt: 2,
    updatedAt: 3,
    finishedAt: 3,
    error: undefined,
    result: Uint8Array.of(0),
    ...extra,
  };
}

/** A method throwing UnreadableImage under each of `fields`, whose result decodes to `decoded`. */
function method(decoded: object, fields: readonly string[]): MethodDescriptor<unknown, unknown> {
  const result = { decode: () => decoded } as unknown as StructCodec<unknown>;
  return {
    name: "m",
    oneway: false,
    args: result,
    result,
    exceptions: Object.fromEntries(fields.map((field) => [field, UnreadableImage as StructCodec<unknown>])),
    def: {
      name: "m",
      oneway: false,
      args: [],
      returnType: { kind: "i32" },
      throws: fields.map((name, index) => ({
        id: index + 1,
        name,
        type: { kind: "struct", name: "jobs.UnreadableImage" },
        requiredness: "default",
        annotations: {},
      })),
      annotations: {},
    },
  };
}

describe("outcomeOf", () => {
  it("reads exception fields as own properties only (a field named constructor)", () => {
    const absent = method({}, ["constructor", "toString"]);
    expect(() => outcomeOf(absent, record("failed"))).toThrow(JobFailedError);
    const present = method({ toString: { reason: "r" } }, ["constructor", "toString"]);
    expect(() => outcomeOf(present, record("failed"))).toThrow(DeclaredException);
  });

  it("picks the declared exception that is set, in declaration order", () => {
    const twoFields = method({ second: { reason: "2nd" } }, ["first", "second"]);
    const error: unknown = (() => {
      try {
        return outcomeOf(twoFields, record("failed"));
      } catch (caught) {
        return caught;
      }
    })();
    expect(DeclaredException.isDeclared(error, UnreadableImage) && error.value).toEqual({ reason: "2nd" });
  });

  it("falls back to JobFailedError for an exception without a codec (descriptors built at run time)", () => {
    const dynamic = { ...method({ unreadable: { reason: "r" } }, ["unreadable"]), exceptions: {} };
    const failed = record("failed", { error: { type: "jobs.UnreadableImage", message: "r" } });
    expect(() => outcomeOf(dynamic, failed)).toThrow(expect.objectContaining({ code: "JOB_FAILED" }) as Error);
  });

  it("refuses records that are not final and oneway methods", () => {
    expect(() => outcomeOf(Thumbnails.methods.countRendered, record("running"))).toThrow(/not in a final state/);
    expect(() => outcomeOf(Thumbnails.methods.render, record("succeeded"))).toThrow(/oneway/);
  });

  it("keeps the decoding error of a failed job's unreadable result as the cause", () => {
    const failed = record("failed", { result: Uint8Array.of(12, 0, 1, 11), error: { type: "X", message: "y" } });
    let caught: unknown;
    try {
      outcomeOf(Thumbnails.methods.countRendered, failed);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JobFailedError);
    expect((caught as JobFailedError).cause).toMatchObject({ name: "CodecError" });
  });
});
