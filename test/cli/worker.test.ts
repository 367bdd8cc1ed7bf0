/**
 * `thrift-queue worker` in-process: the handlers module is checked against the IDL before anything is opened,
 * and every problem is one line with exit code 2. Running, draining and killing are in
 * test/integration/worker-cli-processes.test.ts (real processes).
 */
import { describe, expect, it } from "vitest";
import { repoPath, runCli } from "./run-cli.ts";

const IDL = repoPath("idl/jobs.thrift");
const fixture = (name: string): string => repoPath(`test/integration/fixtures/worker-cli/${name}`);

/** Runs the worker command; a transport that cannot be reached shows the checks come first. */
function worker(handlers: string, ...extra: string[]) {
  return runCli(["worker", "--idl", IDL, "--handlers", handlers, "--transport", "amqp://127.0.0.1:1/", ...extra]);
}

describe("thrift-queue worker: checking the handlers module", () => {
  it.each([
    ["unknown-method.ts", /Thumbnails has no method "resize"/],
    ["unknown-service.ts", /the IDL has no service "Resizer"/],
    ["not-a-function.ts", /Thumbnails needs a function for render/],
    ["missing-method.ts", /Thumbnails needs a function for countRendered/],
    ["throws-at-load.ts", /cannot load --handlers .*handlers could not connect to the image cache/],
    ["no-such-file.ts", /cannot load --handlers .*no-such-file\.ts: no such file /],
  ])("%s: exit 2 with one line naming the problem", async (name, message) => {
    const run = await worker(fixture(name));
    expect(run.code).toBe(2);
    expect(run.stdout).toHaveLength(0);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^thrift-queue worker: (cannot load )?--handlers /);
  });

  it("rejects a module whose export is not an object of services", async () => {
    const run = await worker(fixture("not-an-object.ts"));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/must export \(default or "handlers"\) an object keyed by service name/);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it.each([
    [["--concurrency", "0"], /--concurrency must be a whole number ≥ 1/],
    [["--drain-timeout", "soon"], /--drain-timeout must be a whole number/],
    [["--lease-ms", "0"], /--lease-ms must be a whole number ≥ 1/],
    [["--log-level", "loud"], /--log-level must be one of debug, info, warn, error/],
  ])("bad option %j: exit 2", async (extra, message) => {
    const run = await worker(fixture("thumbnails-handlers.ts"), ...extra);
    expect({ code: run.code, lines: run.stderr.trimEnd().split("\n").length }).toEqual({ code: 2, lines: 1 });
    expect(run.stderr).toMatch(message);
  });

  it("requires --idl, --handlers and --transport", async () => {
    for (const missing of ["idl", "handlers", "transport"]) {
      const argv = { idl: IDL, handlers: fixture("thumbnails-handlers.ts"), transport: "memory:" };
      const run = await runCli([
        "worker",
        ...Object.entries(argv).flatMap(([key, value]) => (key === missing ? [] : [`--${key}`, value])),
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`missing --${missing}`);
    }
  });

  it("reports an unreachable transport after the checks pass, as one line", async () => {
    const run = await worker(fixture("thumbnails-handlers.ts"));
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split("\n").at(-1)).toMatch(/^thrift-queue: .*127\.0\.0\.1:1/);
  });
});
