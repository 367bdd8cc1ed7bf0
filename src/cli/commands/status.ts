import { ConfigError } from "../../errors.ts";
import { jobJson, type JobJson } from "../../status/api/status-json.ts";
import { quoted } from "../../status/api/status-query.ts";
import type { CliCommand } from "../command.ts";
import { withCliStore } from "../open-cli-store.ts";
import { parseOptions } from "../parse-options.ts";
import { labelledLines, timeText } from "../text-table.ts";
import { usageError } from "../usage-error.ts";

const USAGE = `Usage: thrift-queue status <jobId> --store <url> [--json]

Prints what the status store knows of one job: its state, attempt, progress, worker, times and last error, as
aligned lines, or --json: the record as one JSON line (the shape of GET /v1/jobs/:id; times RFC 3339, the
encoded result as base64, unknown fields null). An unknown id exits 2. Store URLs: memory:, sqlite:<path>,
postgres://…, dynamodb://<table>.`;

/** `thrift-queue status`: one job's record. */
export const statusCommand: CliCommand = {
  name: "status",
  summary: "show one job's state, progress and outcome from the status store",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseOptions(
      argv,
      { store: { type: "string" }, json: { type: "boolean" } },
      { allowPositionals: true },
    );
    const [id, extra] = positionals;
    if (id === undefined || id === "") throw usageError("missing the job id");
    if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}`);
    const record = await withCliStore(values.store, (store) => store.get(id));
    if (record === undefined) throw new ConfigError("CONFIG_NOT_FOUND", `no job ${quoted(id)} in the status store`);
    const job = jobJson(record);
    io.writeStdout(values.json === true ? `${JSON.stringify(job)}\n` : readableJob(job));
    return 0;
  },
};

function readableJob(job: JobJson): string {
  const progress =
    job.progress === null ? "-" : `${job.progress}%${job.progressMessage === null ? "" : ` ${job.progressMessage}`}`;
  const result = job.result === null ? "-" : `${Buffer.from(job.result, "base64").length} bytes (--json for them)`;
  return labelledLines([
    ["job", job.id],
    ["call", `${job.service}.${job.method}`],
    ["state", job.state],
    ["attempt", String(job.attempt)],
    ["progress", progress],
    ["worker", job.workerId ?? "-"],
    ["queue", job.queue ?? "-"],
    ["enqueued", timeText(job.enqueuedAt)],
    ["started", timeText(job.startedAt)],
    ["updated", timeText(job.updatedAt)],
    ["finished", timeText(job.finishedAt)],
    ["error", job.error === null ? "-" : `${job.error.type}: ${job.error.message}`],
    ["result", result],
  ]);
}
