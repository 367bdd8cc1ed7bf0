/**
 * `thrift-queue worker`: runs handlers from a JS/TS module against an IDL loaded at run time (no code generation),
 * with the same worker runtime and ack rules as the typed API. Logs JSON lines on stderr; stops gracefully on
 * SIGTERM or SIGINT (a second signal stops at once, giving running jobs back).
 */
import process from "node:process";
import { dynamicServices } from "../../codec/dynamic/dynamic-services.ts";
import { Worker } from "../../consumer/worker.ts";
import { openStatusStore } from "../../status/open-status-store.ts";
import type { StatusStore } from "../../status/status-store.ts";
import type { CliCommand } from "../command.ts";
import { jsonLinesLogger, logLevel } from "../json-lines-logger.ts";
import { loadCliSchema } from "../load-cli-schema.ts";
import { loadHandlers } from "../load-handlers.ts";
import { openCliTransport } from "../open-cli-transport.ts";
import { INCLUDE_DIR_OPTION, parseOptions, requireOption } from "../parse-options.ts";
import { wholeNumber } from "./send.ts";

const USAGE = `Usage: thrift-queue worker --idl <file> --handlers <module> --transport <url> [--store <url>]
         [--concurrency N] [--drain-timeout s] [--worker-id id] [--instance-id id]
         [--log-level debug|info|warn|error] [-I <dir>]…

Runs the handlers exported by <module> (JS or TS; default export or "handlers": an object keyed by service name,
each an object of method functions (args, context) => result, or a function ({ logger }) => that object) for
the calls on the queue, recording every job's state in the status store when --store is given (memory:,
sqlite:<path>, postgres://…). Arguments arrive as the dynamic codec reads them (i64 as bigint, binary as
Uint8Array, sets and maps as Set and Map). Logs JSON lines on stderr. SIGTERM or SIGINT: stop taking jobs, let
running ones finish within --drain-timeout seconds (default 30), then exit 0.`;

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
      "worker-id": { type: "string" },
      "instance-id": { type: "string" },
      "log-level": { type: "string" },
      ...INCLUDE_DIR_OPTION,
    });
    const logger = jsonLinesLogger((line) => io.writeStderr(line), logLevel(values["log-level"]));
    const concurrency = wholeNumber(values.concurrency ?? "10", "--concurrency", 1);
    const drainTimeoutMs = wholeNumber(values["drain-timeout"] ?? "30", "--drain-timeout", 0) * 1000;
    const index = await loadCliSchema(requireOption(values.idl, "idl"), values["include-dir"] ?? []);
    const handlers = await loadHandlers(
      requireOption(values.handlers, "handlers"),
      process.cwd(),
      dynamicServices(index),
      logger,
    );
    const store: StatusStore | undefined =
      values.store === undefined ? undefined : await openStatusStore(values.store, { logger });
    const transport = await openCliTransport(values.transport);
    const worker = new Worker({
      transport,
      ...(store === undefined ? {} : { store }),
      concurrency,
      drainTimeoutMs,
      logger,
      ...(values["worker-id"] === undefined ? {} : { workerId: values["worker-id"] }),
      ...(values["instance-id"] === undefined ? {} : { instanceId: values["instance-id"] }),
    });
    for (const { service, handler } of handlers) worker.handle(service, handler);
    try {
      worker.start();
      logger.info(
        {
          workerId: worker.workerId,
          queue: transport.queue,
          services: handlers.map((h) => h.service.name),
          concurrency,
        },
        "worker started",
      );
      await untilSignalled(worker, drainTimeoutMs);
      logger.info({ workerId: worker.workerId }, "worker stopped");
      return 0;
    } finally {
      await transport.close({ drainTimeoutMs: 0 });
      await store?.close();
    }
  },
};

/** Resolves once the worker stopped after SIGTERM or SIGINT; a second signal cuts the grace period to nothing. */
function untilSignalled(worker: Worker, drainTimeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    let signals = 0;
    const onSignal = (): void => {
      signals += 1;
      if (signals === 1) void worker.stop({ drainTimeoutMs }).then(done);
      else void worker.stop({ drainTimeoutMs: 0 }).then(done);
    };
    const done = (): void => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      resolve();
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
