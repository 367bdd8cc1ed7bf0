/**
 * The pipeline scenario (pipeline-scenario.ts) on the embedded defaults: the SQLite transport and the SQLite
 * status store, each client with its own connection to the files.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { openStatusStore, SqliteTransport } from "thrift-queue";
import { runPipelineScenario } from "./pipeline-scenario.ts";

describe("worker on the SQLite transport with the SQLite store", () => {
  it("runs every job to its final state once, retrying failures and recording declared exceptions", async () => {
    const folder = await mkdtemp(join(tmpdir(), "tq-worker-sqlite-"));
    const url = `sqlite:${join(folder, "status.db")}`;
    const stores = [await openStatusStore(url), await openStatusStore(url), await openStatusStore(url)] as const;
    const transports = [0, 1, 2].map(
      () => new SqliteTransport({ path: join(folder, "queue.db"), queue: "thumbnails", maxAttempts: 5 }),
    );
    try {
      await runPipelineScenario({ transports: [transports[0]!, transports[1]!, transports[2]!], stores });
    } finally {
      await Promise.all(transports.map((transport) => transport.close({ drainTimeoutMs: 0 })));
      await Promise.all(stores.map((store) => store.close()));
      await rm(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
