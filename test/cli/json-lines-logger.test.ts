/** The worker command's JSON-lines logger: pino's shape, level filtering, and any context rendered, never thrown on. */
import { describe, expect, it } from "vitest";
import { ConfigError } from "thrift-queue";
import { jsonLinesLogger, logLevel } from "../../src/cli/json-lines-logger.ts";

function capture(level?: Parameters<typeof jsonLinesLogger>[1]) {
  const lines: string[] = [];
  const logger = jsonLinesLogger((line) => lines.push(line), level);
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe("jsonLinesLogger", () => {
  it("writes one pino-shaped JSON object per line", () => {
    const { logger, lines, parsed } = capture();
    logger.info({ jobId: "j1", attempt: 2 }, "job done");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    expect(lines[0]!.slice(0, -1)).not.toContain("\n");
    const [entry] = parsed();
    expect(entry).toMatchObject({ level: 30, pid: process.pid, jobId: "j1", attempt: 2, msg: "job done" });
    expect(typeof entry!["time"]).toBe("number");
  });

  it("drops entries below the minimum level and numbers the rest as pino does", () => {
    const { logger, parsed } = capture("warn");
    logger.debug({}, "d");
    logger.info({}, "i");
    logger.warn({}, "w");
    logger.error({}, "e");
    expect(parsed().map((entry) => [entry["level"], entry["msg"]])).toEqual([
      [40, "w"],
      [50, "e"],
    ]);
  });

  it("renders bigints, Maps, Sets, bytes, errors and cycles instead of throwing", () => {
    const { logger, parsed } = capture("debug");
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic["self"] = cyclic;
    const error = new ConfigError("CONFIG_INVALID", "bad option");
    logger.debug(
      {
        args: { job: { requestedAt: 9_007_199_254_740_993n, labels: new Map([["k", "v"]]), tags: new Set(["a"]) } },
        small: new Uint8Array([1, 2, 3]),
        large: new Uint8Array(1000),
        err: error,
        cyclic,
      },
      "everything",
    );
    const [entry] = parsed();
    expect(entry!["args"]).toEqual({ job: { requestedAt: "9007199254740993", labels: { k: "v" }, tags: ["a"] } });
    expect(entry!["small"]).toEqual({ bytes: "AQID" });
    expect(entry!["large"]).toEqual({ bytes: "1000 bytes" });
    expect(entry!["err"]).toMatchObject({ type: "ConfigError", message: "bad option", code: "CONFIG_INVALID" });
    expect(entry!["cyclic"]).toEqual({ name: "loop", self: "[Circular]" });
  });

  it("still writes a line when the context cannot be read", () => {
    const { logger, parsed } = capture();
    const hostile = {
      get boom(): never {
        throw new Error("getter failed");
      },
    };
    expect(() => logger.error(hostile, "could not render")).not.toThrow();
    expect(parsed()).toEqual([
      {
        level: 50,
        time: expect.any(Number) as number,
        pid: process.pid,
        msg: "could not render",
        logError: "Error: getter failed",
      },
    ]);
  });
});

describe("logLevel", () => {
  it("defaults to info and accepts the four names", () => {
    expect(logLevel(undefined)).toBe("info");
    for (const name of ["debug", "info", "warn", "error"]) expect(logLevel(name)).toBe(name);
  });

  it("rejects anything else as a usage error", () => {
    expect(() => logLevel("trace")).toThrow(/--log-level must be one of debug, info, warn, error/);
  });
});
