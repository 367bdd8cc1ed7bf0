/**
 * `npm start`: GrepTheWeb on the embedded defaults, then exit. It uploads the sample logs to the blob store,
 * starts the web tier and the status API in this process and N worker processes, submits an example search over
 * HTTP, prints its progress and results, prints what to try next, stops the workers with SIGTERM and exits 0.
 * With --autoscale the scaler runs the workers instead: a local fleet it grows from zero when chunk jobs arrive,
 * up to --workers, and drains when the queue is idle.
 *
 *   node examples/grep/main.ts [--transport URL] [--store URL] [--blobs URL] [--workers 3] [--concurrency 2] [--lease-ms 30000]
 *                              [--data DIR] [--web-port 0] [--status-port 0] [--pattern RE] [--flags i] [--keep-running]
 *                              [--autoscale]
 *
 * Every flag has a GREP_* environment variable (GREP_TRANSPORT, GREP_STORE, GREP_BLOBS, GREP_WORKERS …).
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { createProducer, openStatusStore, openTransport, redact, scalerRoute, startStatusServer } from "thrift-queue";
import { openBlobStore, type BlobStore } from "./blob-store.ts";
import { documentPrefix } from "./chunking.ts";
import { createGrepTheWebClient } from "./gen/grep.ts";
import { grepConfig, type GrepConfig } from "./grep-config.ts";
import { printNextSteps, printResults } from "./report.ts";
import { SAMPLE_FOLDER } from "./sample-documents.ts";
import { getSearch, postSearch, progressLine, waitForSearch } from "./search-client.ts";
import { jsonLinesLogger } from "./stderr-logger.ts";
import { startWebTier } from "./web-tier.ts";
import { startAutoscaledFleet, type AutoscaledFleet } from "./autoscaled-fleet.ts";
import { startWorkerFleet, type WorkerFleet } from "./worker-fleet.ts";

const say = (line = ""): void => console.log(line);

let config: GrepConfig;
try {
  config = grepConfig(process.argv.slice(2), process.env, process.cwd());
} catch (error) {
  console.error(`grep: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

/** Copies the checked-in sample set to `documents/sample/` (a rerun overwrites the same keys). */
async function uploadSampleSet(blobs: BlobStore): Promise<{ files: number; bytes: number }> {
  let bytes = 0;
  const names = (await readdir(SAMPLE_FOLDER)).filter((name) => name.endsWith(".log")).sort();
  for (const name of names) {
    const contents = await readFile(join(SAMPLE_FOLDER, name));
    bytes += contents.length;
    await blobs.put(`${documentPrefix("sample")}${name}`, contents);
  }
  return { files: names.length, bytes };
}

await mkdir(config.dataDir, { recursive: true });
const logFile = join(config.dataDir, "orchestrator.log");
const logLines: string[] = [];
const logger = jsonLinesLogger((line) => logLines.push(line), "info", { process: "orchestrator" });
say("GrepTheWeb on thrift-queue: a web tier splits a regex search into chunk jobs; workers grep them.\n");
say(`  transport  ${redact(config.transport)}`);
say(`  status     ${redact(config.store)}`);
say(`  blobs      ${redact(config.blobs)}`);

const blobs = await openBlobStore(config.blobs);
const uploaded = await uploadSampleSet(blobs);
say(`  documents  ${uploaded.files} access logs, ${(uploaded.bytes / 1024).toFixed(0)} KiB → documents/sample/\n`);
const transport = await openTransport(config.transport, { maxAttempts: 3 });
const store = await openStatusStore(config.store, { logger });
const producer = createProducer({ transport, store, logger });
const client = createGrepTheWebClient(producer);
const web = await startWebTier({ blobs, store, client, logger, port: config.webPort });
const status = await startStatusServer({
  store,
  transports: [transport],
  logger,
  port: config.statusPort,
  routes: [scalerRoute(store)],
});
say(`web tier     ${web.url}/v1/searches`);
say(`status API   ${status.url}/v1/jobs`);

let fleet: WorkerFleet | undefined;
let autoscaled: AutoscaledFleet | undefined;
if (config.autoscale) {
  autoscaled = startAutoscaledFleet({
    urls: { transport: config.transport, store: config.store, blobs: config.blobs },
    transport,
    store,
    maxWorkers: config.workers,
    concurrency: config.concurrency,
    leaseMs: config.leaseMs,
    dataDir: config.dataDir,
    logger,
  });
  say(
    `workers      0–${config.workers} processes, started and drained by the scaler (lease ${autoscaled.leaseName})\n`,
  );
} else {
  fleet = await startWorkerFleet({
    count: config.workers,
    transport: config.transport,
    store: config.store,
    blobs: config.blobs,
    concurrency: config.concurrency,
    leaseMs: config.leaseMs,
    logDir: config.dataDir,
  });
  say(
    `workers      ${fleet.workers.length} processes (pids ${fleet.workers.map((worker) => worker.pid).join(", ")})\n`,
  );
}

let exitCode = 0;
try {
  const search = { pattern: config.pattern, flags: config.flags, documentSet: "sample" };
  say(`POST ${web.url}/v1/searches ${JSON.stringify(search)}`);
  const submitted = await postSearch(web.url, search);
  say(`  202 search ${submitted.searchId}: ${submitted.jobs.length} chunk jobs over ${submitted.documents} documents`);
  const final = await waitForSearch(submitted.statusUrl, (current) => say(`  ${progressLine(current)}`), {
    timeoutMs: 120_000,
  });
  if (final.state !== "succeeded") {
    say(`\nthe search ${final.state}:`);
    for (const chunk of final.chunks) if (chunk.error) say(`  chunk ${chunk.chunkIndex}: ${chunk.error.message}`);
    exitCode = 1;
  } else {
    const page = await getSearch(submitted.statusUrl, 10);
    printResults(say, page);
    const summary = { searchId: submitted.searchId, statusUrl: submitted.statusUrl, results: page.results };
    await writeFile(join(config.dataDir, "last-search.json"), `${JSON.stringify(summary, null, 2)}\n`);
  }
  if (autoscaled !== undefined) {
    say("\nThe scaler:");
    for (const action of await autoscaled.actions()) {
      const instances = action.instanceIds === undefined ? "" : ` [${action.instanceIds.join(", ")}]`;
      say(`  ${action.kind}${instances}: ${action.reason}`);
    }
  }
  const workerLogs = fleet?.workers.map((worker) => worker.logFile) ?? [`${autoscaled?.logDirectory ?? ""}/`];
  printNextSteps(say, { config, webUrl: web.url, statusUrl: status.url, searchId: submitted.searchId, workerLogs });
  if (config.keepRunning) {
    say("\nEverything keeps running (--keep-running); press Ctrl-C to stop.");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
  }
} catch (error) {
  console.error(`grep: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  say("\nstopping: SIGTERM to the workers (running jobs finish first) …");
  if (fleet !== undefined) {
    const codes = await fleet.stop();
    say(`  workers exited with ${codes.map((code) => String(code)).join(", ")}`);
    if (codes.some((code) => code !== 0)) exitCode = 1;
  }
  if (autoscaled !== undefined) {
    const stopped = await autoscaled.stop();
    const left = await autoscaled.size();
    say(`  the scaler gave its lease up; ${stopped} workers stopped${left === 0 ? "" : `, ${left} still running`}`);
    if (left > 0) exitCode = 1;
  }
  await producer.flush();
  await Promise.allSettled([web.close(), status.close()]);
  await Promise.allSettled([transport.close(), store.close(), blobs.close()]);
  await writeFile(logFile, logLines.join(""));
}
process.exit(exitCode);
