/**
 * `thrift-queue worker`: runs handlers from a JS/TS module against an IDL loaded at run time (no code generation),
 * with the same worker runtime and ack rules as the typed API. Logs JSON lines on stderr; stops gracefully on
 * SIGTERM or SIGINT (a second signal stops at once, giving running jobs back).
 */
import process from "node:process";
import { Worker } from "../../consumer/worker.ts";
import type { Logger } from "../../logger.ts";
import { watchDrainRequests } from "../../scaler/drain-request.ts";
import { INSTANCE_ID_ENV } from "../../scaler/fleet/local/local-fleet.ts";
import { openStatusStore } from "../../status/open-status-store.ts";
import type { StatusStore } from "../../status/status-store.ts";
import type { CliCommand } from "../command.ts";
import { jsonLinesLogger, logLevel } from "../json-lines-logger.ts";
import { loadCliSchema } from "../load-cli-schema.ts";
import { loadHandlers } from "../load-handlers.ts";
import { openCliTransport } from "../open-cli-transport.ts";
import { INCLUDE_DIR_OPTION, parseOptions, requireOption } from "../parse-options.ts";
import { signalExitCode, untilSignalled } from "../worker-signals.ts";
import { wholeNumber } from "./send.ts";

const USAGE = `Usage: thrift-queue worker --idl <file> --handlers <module> --transport <url> [--store <url>]
         [--concurrency N] [--drain-timeout s] [--lease-ms ms] [--worker-id id] [--instance-id id]
         [--log-level debug|info|warn|error] [-I <dir>]…

Runs the handlers exported by <module> (JS or TS, resolved from the current directory) for the calls on the
queue. The module's default export (or its "handlers" export) is an object keyed by service name, each an object
with a function (args, context) => result for every method of the service; or a function
({ logger, declaredException }) => that object, sync or async. Throw declaredException("Name", fields) for an
exception the IDL declares. The module is checked against the IDL first: an unknown service or method, or a
missing function, exits 2. Arguments arrive as the dynamic codec reads them: structs as plain objects, i64 as
bigint, binary as Uint8Array, sets and maps as Set and Map, enums as numbers. Job states and heartbeats go to the
status store when --store is given (sqlite:<path>, postgres://…). Logs JSON lines on stderr.

SIGTERM or SIGINT: take no new jobs, let running ones finish within --drain-timeout seconds (default 30), exit 0.
A second signal stops at once: unfinished jobs go back to the queue, exit 128 + the signal's number.

--instance-id (default: $THRIFT_QUEUE_INSTANCE_ID, then the host name) names the fleet instance in heartbeats. With
--store, the worker also stops as on SIGTERM when the scaler asks its instance to drain (thrift-queue scaler).`;

/** `thrift-queue worker`: handlers from a module, no code generation. */
export const workerCommand: CliCommand = {
  name: "worker",
  summary: "run handlers from a JS/TS module for the calls on a queue",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseOptions(argv, {
      idl: { type: "string" },
      handlers: { type: "string" },
      transport: { type: "string" },
      store: { type: "string" },
      concurrency: { type: "string" },
      "drain-timeout": { type: "string" },
      "lease-ms": { type: "string" },
      "worker-id": { type: "string" },
      "instance-id": { type: "string" },
      "log-level": { type: "string" },
      ...INCLUDE_DIR_OPTION,
    });
    const logger = jsonLinesLogger((line) => io.writeStderr(line), logLevel(values["log-level"]));
    const concurrency = wholeNumber(values.concurrency ?? "10", "--concurrency", 1);
    const drainTimeoutMs = wholeNumber(values["drain-timeout"] ?? "30", "--drain-timeout", 0) * 1000;
    const leaseMs = values["lease-ms"] === undefined ? undefined : wholeNumber(values["lease-ms"], "--lease-ms", 1);
    const instanceId = values["instance-id"] ?? nonEmpty(process.env[INSTANCE_ID_ENV]);
    const handlersPath = requireOption(values.handlers, "handlers");
    const transportUrl = requireOption(values.transport, "transport");
    const index = await loadCliSchema(requireOption(values.idl, "idl"), values["include-dir"] ?? []);
    const handlers = await loadHandlers(handlersPath, process.cwd(), index, logger);
    const store: StatusStore | undefined =
      values.store === undefined ? undefined : await openStatusStore(values.store, { logger });
    const transport = await openCliTransport(transportUrl).catch(async (error: unknown) => {
      await store?.close();
      throw error;
    });
    const stopLogging = logUnhandledRejections(logger);
    let code: number;
    try {
      const worker = new Worker({
        transport,
        ...(store === undefined ? {} : { store }),
        concurrency,
        drainTimeoutMs,
        logger,
        ...(leaseMs === undefined ? {} : { leaseMs }),
        ...(values["worker-id"] === undefined ? {} : { workerId: values["worker-id"] }),
        ...(instanceId === undefined ? {} : { instanceId }),
      });
      for (const { service, handler } of handlers) worker.handle(service, handler);
      const ending = untilSignalled(worker, transport, drainTimeoutMs, logger);
      const stopWatching = watchForDrain(store, instanceId, logger);
      worker.start();
      const services = handlers.map((loaded) => loaded.service.name);
      logger.info({ workerId: worker.workerId, queue: transport.queue, services, concurrency }, "worker started");
      const { signal, forced } = await ending;
      stopWatching();
      code = forced ? signalExitCode(signal) : 0;
      logger.info({ workerId: worker.workerId, ...worker.stats, exitCode: code }, "worker stopped");
    } finally {
      stopLogging();
      await transport.close({ drainTimeoutMs: 0 });
      await store?.close();
    }
    exitSoon(code);
    return code;
  },
};

/**
 * A drain request from the scaler stops the worker the way SIGTERM does (the same path, the same grace period), so
 * an instance leaving the fleet finishes what it runs.
 */
function watchForDrain(store: StatusStore | undefined, instanceId: string | undefined, logger: Logger): () => void {
  if (store === undefined || instanceId === undefined) return () => undefined;
  return watchDrainRequests({
    store,
    instanceId,
    logger,
    onDrainRequested: () => {
      logger.info({ instanceId }, "the scaler asked this instance to drain");
      process.kill(process.pid, "SIGTERM");
    },
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Handlers that outlived the grace period (or a forced stop) may still hold timers that would keep the process
 * alive; their jobs were already given back, so the process exits shortly after stopping whatever they hold.
 * Only reached after a signal, which the CLI process owns.
 */
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 500).unref();
}

/** A handler's stray promise rejection is logged rather than crashing the worker and every job it runs. */
function logUnhandledRejections(logger: Logger): () => void {
  const log = (reason: unknown): void => logger.error({ err: reason }, "unhandled promise rejection in a handler");
  process.on("unhandledRejection", log);
  return () => process.off("unhandledRejection", log);
}
