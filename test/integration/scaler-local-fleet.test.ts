/**
 * The scaler with the local fleet, end to end: real `thrift-queue worker` processes on the SQLite transport and
 * store. A burst of jobs makes the scaler start workers; once the backlog is gone the scaler asks them to drain,
 * they finish what they run and stop, and it removes them. Every job succeeds, none is lost or dead.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProducer, openStatusStore, SqliteTransport } from "thrift-queue";
import { createThumbnailsClient } from "../../examples/quickstart/gen/jobs.ts";
import { LocalFleet } from "../../src/scaler/fleet/local/local-fleet.ts";
import { thriftQueuePolicy } from "../../src/scaler/policy/thrift-queue-policy.ts";
import { Scaler } from "../../src/scaler/scaler.ts";
import { ensureBuilt, REPO_ROOT, waitUntil } from "./worker-cli-process.ts";

const HANDLERS = "test/integration/fixtures/worker-cli/thumbnails-handlers.ts";
const JOBS = 120;

describe("the scaler with the local fleet (SQLite transport and store, worker processes)", () => {
  beforeAll(ensureBuilt, 120_000);
  const cleanUps: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
  });

  it("starts workers for a burst, drains and stops them once the backlog is gone, loses no job", async () => {
    const folder = await mkdtemp(join(tmpdir(), "tq-scaler-local-"));
    const queueUrl = `sqlite:${join(folder, "queue.db")}?queue=thumbnails`;
    const storeUrl = `sqlite:${join(folder, "status.db")}`;
    const runsFile = join(folder, "runs.jsonl");
    const transport = new SqliteTransport({ path: join(folder, "queue.db"), queue: "thumbnails" });
    const store = await openStatusStore(storeUrl);
    const stateDirectory = join(folder, "fleet");
    const fleet = new LocalFleet({
      command: [
        process.execPath,
        "bin/thrift-queue.js",
        "worker",
        ...["--idl", "idl/jobs.thrift", "--handlers", HANDLERS, "--transport", queueUrl, "--store", storeUrl],
        ...["--concurrency", "4", "--drain-timeout", "20"],
      ],
      stateDirectory,
      cwd: REPO_ROOT,
      env: { TQ_RUNS_FILE: runsFile, TQ_WORK_MS: "150" },
    });
    const scaler = new Scaler({
      store,
      transport,
      fleet,
      policy: thriftQueuePolicy(
        { min: 0, max: 3, maxStep: 3, targetWaitMs: 3000 },
        { evaluationIntervalMs: 1000, minHoldMs: 5000, smallDropHoldMs: 10_000, initialServiceTimeMs: 150 },
      ),
      scalerId: "local-test",
      concurrencyPerInstance: 4,
      bootDelayMs: 1500,
      tickIntervalMs: 500,
      leaseTtlMs: 5000,
    });
    cleanUps.push(async () => {
      await scaler.stop();
      for (const instance of await fleet.list())
        await fleet.terminate([instance.id], { id: "cleanup", fencingToken: 0 });
      await waitUntil(async () => (await fleet.list()).length === 0, 30_000, "the workers to exit");
      await transport.close({ drainTimeoutMs: 0 });
      await store.close();
      await rm(folder, { recursive: true, force: true });
    });
    expect(await fleet.list()).toEqual([]);
    scaler.start();
    const client = createThumbnailsClient(createProducer({ transport, store }));
    const imageIds = Array.from({ length: JOBS }, (_, index) => `image-${index}`);
    await Promise.all(imageIds.map((imageId) => client.render({ job: { imageId, requestedAt: 1n } })));

    let most = 0;
    await waitUntil(
      async () => {
        most = Math.max(most, (await fleet.list()).length);
        return (await store.counts()).succeeded === JOBS;
      },
      90_000,
      "every job to succeed",
    );
    expect(most).toBeGreaterThanOrEqual(1);
    await waitUntil(async () => (await fleet.list()).length === 0, 150_000, "the fleet to shrink to zero").catch(
      async (error: unknown) => {
        const recent = await store.scalerEvents({ limit: 8 });
        const lines = recent.map((event) => `${new Date(event.at).toISOString()} ${event.kind}: ${event.reason}`);
        throw new Error(`${String(error)}; the scaler's last events:\n${lines.join("\n")}`);
      },
    );

    const counts = await store.counts();
    expect(counts).toMatchObject({ succeeded: JOBS, dead: 0, failed: 0, running: 0, queued: 0, retrying: 0 });
    const done = readFileSync(runsFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string; imageId: string })
      .filter((run) => run.event === "done");
    expect(new Set(done.map((run) => run.imageId))).toEqual(new Set(imageIds));

    const kinds = (await store.scalerEvents({ limit: 1000 })).map((event) => event.kind);
    expect(kinds).toContain("launch");
    expect(kinds).toContain("drain");
    expect(kinds).toContain("terminate");
    expect(kinds).not.toContain("recover");
    // The workers stopped because they were asked to drain, not because they were killed.
    const logs = await Promise.all(
      (await readdir(join(stateDirectory, "logs"))).map((name) => readFile(join(stateDirectory, "logs", name), "utf8")),
    );
    expect(logs.length).toBeGreaterThanOrEqual(most);
    for (const log of logs) {
      expect(log).toContain("the scaler asked this instance to drain");
      expect(log).toMatch(/"exitCode":0/);
    }
  }, 300_000);
});
