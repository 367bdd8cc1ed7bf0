/**
 * The pipeline scenario (pipeline-scenario.ts) with the DynamoDB store on dynalite, over the memory transport:
 * two workers, each with its own client of the same table.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, it } from "vitest";
import { DynamoDbStatusStore, MemoryTransport } from "thrift-queue";
import { startDynalite } from "./dynalite-server.ts";
import { runPipelineScenario } from "./pipeline-scenario.ts";

const emulator = await startDynalite();
afterAll(() => emulator.close());

describe("worker with the DynamoDB store", () => {
  it("runs every job to its final state once, retrying failures and recording declared exceptions", async () => {
    const url = `dynamodb://${emulator.freshTable()}?region=us-east-1&endpoint=${emulator.endpoint}`;
    const stores = [
      await DynamoDbStatusStore.open(`${url}&create=true`),
      await DynamoDbStatusStore.open(url),
      await DynamoDbStatusStore.open(url),
    ] as const;
    const queue = `tq-dynamodb-${randomUUID()}`;
    const transports = [0, 1, 2].map(() => new MemoryTransport({ queue, maxAttempts: 5 }));
    try {
      await runPipelineScenario({ transports: [transports[0]!, transports[1]!, transports[2]!], stores });
    } finally {
      await Promise.all(transports.map((transport) => transport.close({ drainTimeoutMs: 0 })));
      await Promise.all(stores.map((store) => store.close()));
    }
  }, 60_000);
});
