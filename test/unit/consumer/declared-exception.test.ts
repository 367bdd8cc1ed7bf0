import { describe, expect, it } from "vitest";
import { DeclaredException, HandlerError, ThriftQueueError } from "thrift-queue";
import { UnreadableImage } from "../../../examples/quickstart/gen/jobs.ts";
import { NotFound } from "../../golden/gen/everything/everything.ts";

describe("DeclaredException", () => {
  const error = new DeclaredException(UnreadableImage, { imageId: "img-1", reason: "truncated JPEG" });

  it("is a HandlerError with its own code, naming the exception", () => {
    expect(error).toBeInstanceOf(HandlerError);
    expect(error).toBeInstanceOf(ThriftQueueError);
    expect(error.code).toBe("HANDLER_DECLARED_EXCEPTION");
    expect(error.qualifiedName).toBe("jobs.UnreadableImage");
    expect(error.message).toBe("jobs.UnreadableImage: truncated JPEG");
    expect(error.value).toEqual({ imageId: "img-1", reason: "truncated JPEG" });
  });

  it("tells which exception it is", () => {
    expect(error.is(UnreadableImage)).toBe(true);
    expect(error.is(NotFound)).toBe(false);
    expect(DeclaredException.isDeclared(error)).toBe(true);
    expect(DeclaredException.isDeclared(error, UnreadableImage)).toBe(true);
    expect(DeclaredException.isDeclared(error, NotFound)).toBe(false);
    expect(DeclaredException.isDeclared(new Error("x"))).toBe(false);
  });

  it("matches a codec by qualified name, so another copy of the generated module agrees", () => {
    const copy = { ...UnreadableImage };
    expect(error.is(copy)).toBe(true);
  });
});
