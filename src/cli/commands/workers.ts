import { workerJson, type WorkerJson } from "../../status/api/status-json.ts";
import type { CliCommand } from "../command.ts";
import { withCliStore } from "../open-cli-store.ts";
import { parseOptions } from "../parse-options.ts";
import { agoText, textTable } from "../text-table.ts";
import { wholeNumber } from "./send.ts";

const USAGE = `Usage: thrift-queue workers --store <url> [--stale-after s] [--json]

Lists the workers' heartbeats from the status store, most recently seen first: a table (worker, status, health,
host, pid, queues, in flight, processed, failed, last seen), or --json: one JSON line per worker (the shape of
GET /v1/workers). A worker last seen more than --stale-after seconds ago (default 15) is stale; healthy means
neither stale nor stopped.`;

/** `thrift-queue workers`: the workers' heartbeats with their health. */
export const workersCommand: CliCommand = {
  name: "workers",
  summary: "list workers from the status store, healthy or stale",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseOptions(argv, {
      store: { type: "string" },
      "stale-after": { type: "string" },
      json: { type: "boolean" },
    });
    const staleAfterMs = wholeNumber(values["stale-after"] ?? "15", "--stale-after", 1) * 1000;
    const records = await withCliStore(values.store, (store) => store.workers());
    const now = Date.now();
    const workers = records.map((record) => workerJson(record, now, staleAfterMs));
    if (values.json === true) {
      for (const worker of workers) io.writeStdout(`${JSON.stringify(worker)}\n`);
      return 0;
    }
    const header = ["WORKER", "STATUS", "HEALTH", "HOST", "PID", "QUEUES", "IN-FLIGHT", "PROCESSED", "FAILED", "SEEN"];
    io.writeStdout(textTable(header, workers.map(workerRow)));
    return 0;
  },
};

function workerRow(worker: WorkerJson): string[] {
  return [
    worker.workerId,
    worker.status,
    healthText(worker),
    worker.host,
    String(worker.pid),
    worker.queues.join(",") || "-",
    String(worker.inFlight),
    String(worker.processed),
    String(worker.failed),
    agoText(worker.lastSeenAgoMs),
  ];
}

/** `healthy`, `stale`, or `stopped` for a worker that said it stopped and is not stale yet. */
function healthText(worker: WorkerJson): string {
  if (worker.healthy) return "healthy";
  return worker.stale ? "stale" : "stopped";
}
