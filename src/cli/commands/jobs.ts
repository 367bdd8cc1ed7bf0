import { StatusApiError } from "../../errors.ts";
import { jobJson } from "../../status/api/status-json.ts";
import { jobState, pageSize, timeParameter } from "../../status/api/status-query.ts";
import type { JobQuery } from "../../status/status-store.ts";
import type { CliCommand } from "../command.ts";
import { withCliStore } from "../open-cli-store.ts";
import { parseOptions } from "../parse-options.ts";
import { textTable, timeText } from "../text-table.ts";
import { usageError } from "../usage-error.ts";

const USAGE = `Usage: thrift-queue jobs --store <url> [--state S] [--service X] [--method M] [--since T] [--limit N]
         [--cursor C] [--json]

Lists jobs from the status store, newest id first, one page of --limit (1–1000, default 100) at a time: a table
(id, service.method, state, attempt, progress, updated), or --json: one JSON line per job (the shape of
GET /v1/jobs/:id). --since takes an RFC 3339 time or Unix milliseconds (jobs updated at or after it). When there
are more jobs, the next page's cursor is printed: on stderr as "more: --cursor <C>" for the table, as a last
line {"nextCursor":"<C>"} with --json.`;

/** `thrift-queue jobs`: one page of jobs, filtered. */
export const jobsCommand: CliCommand = {
  name: "jobs",
  summary: "list jobs from the status store (filters, pages)",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseOptions(argv, {
      store: { type: "string" },
      state: { type: "string" },
      service: { type: "string" },
      method: { type: "string" },
      since: { type: "string" },
      limit: { type: "string" },
      cursor: { type: "string" },
      json: { type: "boolean" },
    });
    const query = asUsage(() => jobQuery(values));
    const page = await withCliStore(values.store, (store) => store.list(query));
    const jobs = page.jobs.map(jobJson);
    if (values.json === true) {
      for (const job of jobs) io.writeStdout(`${JSON.stringify(job)}\n`);
      if (page.nextCursor !== undefined) io.writeStdout(`${JSON.stringify({ nextCursor: page.nextCursor })}\n`);
      return 0;
    }
    const rows = jobs.map((job) => [
      job.id,
      `${job.service}.${job.method}`,
      job.state,
      String(job.attempt),
      job.progress === null ? "-" : `${job.progress}%`,
      timeText(job.updatedAt),
    ]);
    io.writeStdout(textTable(["ID", "CALL", "STATE", "ATTEMPT", "PROGRESS", "UPDATED"], rows));
    if (page.nextCursor !== undefined) io.writeStderr(`more: --cursor ${page.nextCursor}\n`);
    return 0;
  },
};

interface JobOptions {
  readonly state?: string | undefined;
  readonly service?: string | undefined;
  readonly method?: string | undefined;
  readonly since?: string | undefined;
  readonly limit?: string | undefined;
  readonly cursor?: string | undefined;
}

function jobQuery(values: JobOptions): JobQuery {
  for (const name of ["service", "method", "cursor"] as const) {
    if (values[name] === "") throw usageError(`--${name} must not be empty`);
  }
  return {
    ...(values.state === undefined ? {} : { state: jobState(values.state, "--state") }),
    ...(values.service === undefined ? {} : { service: values.service }),
    ...(values.method === undefined ? {} : { method: values.method }),
    ...(values.since === undefined ? {} : { since: timeParameter(values.since, "--since") }),
    ...(values.limit === undefined ? {} : { limit: pageSize(values.limit, "--limit") }),
    ...(values.cursor === undefined ? {} : { cursor: values.cursor }),
  };
}

/** The API's parameter errors as usage errors (the same messages, with the usage hint). */
export function asUsage<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof StatusApiError) throw usageError(error.message);
    throw error;
  }
}
