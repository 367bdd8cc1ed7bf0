import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_RETRY_POLICY, type MethodDescriptor } from "thrift-queue";
import { resolveMethodSettings } from "../../../src/consumer/method-settings.ts";
import { Thumbnails } from "../../../examples/quickstart/gen/jobs.ts";

/** The render method with other annotations. */
function annotated(annotations: Record<string, string>): MethodDescriptor {
  const render = Thumbnails.methods.render;
  return { ...render, def: { ...render.def, annotations } };
}

describe("resolveMethodSettings", () => {
  it("reads tq.maxAttempts and tq.timeoutSeconds from the IDL", () => {
    const settings = resolveMethodSettings(Thumbnails.methods.render, "render", undefined, DEFAULT_RETRY_POLICY);
    expect(settings.maxAttempts).toBe(5);
    expect(settings.timeoutMs).toBe(600_000);
    expect(settings.retryable).toBe(false);
  });

  it("uses the worker's defaults where the IDL says nothing", () => {
    const defaults = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, jitter: "equal" as const };
    const settings = resolveMethodSettings(Thumbnails.methods.countRendered, "countRendered", {}, defaults);
    expect(settings).toEqual({
      maxAttempts: 3,
      timeoutMs: undefined,
      retryable: false,
      backoff: { baseDelayMs: 10, maxDelayMs: 20, jitter: "equal" },
    });
  });

  it("lets code override the annotations", () => {
    const settings = resolveMethodSettings(
      Thumbnails.methods.render,
      "render",
      { maxAttempts: 2, timeoutMs: 50, retryable: true, retryBaseDelayMs: 5, retryMaxDelayMs: 9 },
      DEFAULT_RETRY_POLICY,
    );
    expect(settings).toMatchObject({ maxAttempts: 2, timeoutMs: 50, retryable: true });
    expect(settings.backoff).toMatchObject({ baseDelayMs: 5, maxDelayMs: 9 });
  });

  it("reads the retry annotations", () => {
    const method = annotated({ "tq.retryable": "true", "tq.retryBaseDelayMs": "25", "tq.retryMaxDelayMs": "400" });
    const settings = resolveMethodSettings(method, "m", undefined, DEFAULT_RETRY_POLICY);
    expect(settings.retryable).toBe(true);
    expect(settings.backoff).toMatchObject({ baseDelayMs: 25, maxDelayMs: 400 });
  });

  it("treats a timeout of 0 as none", () => {
    expect(
      resolveMethodSettings(Thumbnails.methods.render, "r", { timeoutMs: 0 }, DEFAULT_RETRY_POLICY).timeoutMs,
    ).toBe(undefined);
  });

  it("reports every bad annotation at once", () => {
    const method = annotated({ "tq.maxAttempts": "0", "tq.timeoutSeconds": "soon", "tq.retryable": "yes" });
    let error: unknown;
    try {
      resolveMethodSettings(method, "Thumbnails.render", undefined, DEFAULT_RETRY_POLICY);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain("Thumbnails.render");
    expect(message).toContain("tq.maxAttempts");
    expect(message).toContain("tq.timeoutSeconds");
    expect(message).toContain("tq.retryable");
  });

  it("rejects bad values given in code", () => {
    expect(() =>
      resolveMethodSettings(Thumbnails.methods.render, "r", { maxAttempts: 1.5, timeoutMs: -1 }, DEFAULT_RETRY_POLICY),
    ).toThrow(/maxAttempts must be an integer ≥ 1.*timeoutMs must be ≥ 0/);
  });
});
