/**
 * `thrift-queue scaler`: bad input is one line and exit 2; `--once` over a SQLite queue with a backlog launches
 * local worker processes, records its decision and action in the store, and prints what it did.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { afterAll, describe, expect, it } from "vitest";
import { createProducer, openStatusStore, SqliteTransport } from "thrift-queue";
import { createThumbnailsClient } from "../../examples/quickstart/gen/jobs.ts";
import { LocalInstanceFiles } from "../../src/scaler/fleet/local/local-instance-files.ts";
import { expectBadInput, runCli, stdoutText } from "./run-cli.ts";

const directory = mkdtempSync(join(tmpdir(), "thrift-queue-scaler-cli-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const queueUrl = (name: string) => `sqlite:${join(directory, `${name}.db`)}?queue=jobs`;
const IDLE = [process.execPath, "-e", "setTimeout(() => {}, 20000)"];

describe("thrift-queue scaler", () => {
  it.each([
    [["--transport", "memory://q", "--store", "memory:"], /^thrift-queue scaler: missing --fleet/],
    [
      ["--fleet", "k8s", "--transport", "memory://q"],
      /^thrift-queue scaler: --fleet must be one of local, ec2, asg, got "k8s"/,
    ],
    [
      ["--fleet", "local", "--transport", "memory://q", "--store", "memory:"],
      /the local fleet needs -- <worker command/,
    ],
    [
      ["--fleet", "local", "--min", "5", "--max", "2", "--", "w"],
      /^thrift-queue scaler: --min \(5\) must not exceed --max \(2\)/,
    ],
    [["--fleet", "local", "--max", "0", "--", "w"], /--max must be a whole number ≥ 1, got "0"/],
    [["--fleet", "local", "--target-wait", "soon", "--", "w"], /--target-wait must be a whole number/],
    [["--fleet", "local", "--keep-jobs", "1.5", "--", "w"], /--keep-jobs must be a whole number ≥ 0, got "1.5"/],
    [["--fleet", "local", "--store", "memory:", "--", "w"], /^thrift-queue scaler: missing --transport/],
    [["--fleet", "asg", "--transport", queueUrl("asg"), "--store", "memory:"], /group/i],
  ])("%j → exit 2 with one line", async (argv, expected) => {
    expectBadInput(await runCli(["scaler", ...argv]), expected);
  });

  it("--once launches local workers for a backlog, records why, and prints the tick as JSON", async () => {
    const transport = new SqliteTransport({ path: join(directory, "once.db"), queue: "jobs" });
    const client = createThumbnailsClient(createProducer({ transport }));
    await Promise.all(
      Array.from({ length: 50 }, (_, index) => client.render({ job: { imageId: `i${index}`, requestedAt: 1n } })),
    );
    await transport.close();
    const storeUrl = `sqlite:${join(directory, "once-status.db")}`;
    const stateDirectory = join(directory, "once-fleet");
    const run = await runCli([
      "scaler",
      ...["--fleet", "local", "--transport", queueUrl("once"), "--store", storeUrl, "--state-dir", stateDirectory],
      ...["--max", "2", "--target-wait", "5", "--scaler-id", "cli-once", "--once", "--log-level", "error"],
      "--",
      ...IDLE,
    ]);
    const files = await new LocalInstanceFiles(stateDirectory).all();
    for (const file of files) if (file.pid !== undefined) process.kill(file.pid, "SIGKILL");
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    const report = JSON.parse(stdoutText(run)) as { scalerId: string; leader: boolean; launched: string[] };
    expect(report).toMatchObject({ scalerId: "cli-once", leader: true });
    expect(report.launched).toHaveLength(2);
    expect(files.map((file) => file.id).sort()).toEqual([...report.launched].sort());

    const store = await openStatusStore(storeUrl);
    try {
      const events = await store.scalerEvents({ lease: "scaler:jobs" });
      // The leader scrubs old records on taking over, then hourly.
      expect(events.map((event) => event.kind)).toEqual(["leader", "scrub", "launch", "decision", "leader"]);
      expect(events[2]?.reason).toMatch(/^\+2: /);
      expect(events[0]?.reason).toBe("cli-once resigned");
    } finally {
      await store.close();
    }
  });

  it("--scrub-every 0 turns scrubbing off", async () => {
    const storeUrl = `sqlite:${join(directory, "no-scrub-status.db")}`;
    const run = await runCli([
      "scaler",
      ...["--fleet", "local", "--transport", queueUrl("no-scrub"), "--store", storeUrl, "--scrub-every", "0"],
      ...["--state-dir", join(directory, "no-scrub-fleet"), "--once", "--log-level", "error", "--", ...IDLE],
    ]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    const store = await openStatusStore(storeUrl);
    try {
      const kinds = (await store.scalerEvents()).map((event) => event.kind);
      expect(kinds).toEqual(["leader", "decision", "leader"]);
    } finally {
      await store.close();
    }
  });
});
