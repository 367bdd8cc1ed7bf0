/**
 * `thrift-queue serve`: the status API over HTTP until SIGINT or SIGTERM, then a clean close (exit 0). The stop
 * is injectable so that tests run the command in-process.
 */
import type { Logger } from "../../logger.ts";
import { scalerRoute } from "../../scaler/scaler-route.ts";
import { startStatusServer, type StatusServer } from "../../status/api/status-server.ts";
import type { StatusStore } from "../../status/status-store.ts";
import type { Transport } from "../../transport/transport.ts";
import type { CliCommand } from "../command.ts";
import { jsonLinesLogger, logLevel } from "../json-lines-logger.ts";
import { openCliStore } from "../open-cli-store.ts";
import { openCliTransport } from "../open-cli-transport.ts";
import { parseOptions } from "../parse-options.ts";
import { usageError } from "../usage-error.ts";
import { wholeNumber } from "./send.ts";
import { firstStopSignal } from "../stop-signal.ts";

const USAGE = `Usage: thrift-queue serve --store <url> [--transport <url>]… [--port N] [--host H] [--stale-after s]
         [--log-level debug|info|warn|error]

Serves the status API (docs/status-api.md) over HTTP: GET /v1/jobs/:id, /v1/jobs, /v1/counts, /v1/workers,
/v1/queues (depth of each --transport), /v1/scaler (the autoscaler's leases, last decision and events) and
/healthz. Prints one line "listening on <url>" on stdout, logs JSON lines on stderr, and serves until SIGINT or
SIGTERM, then closes and exits 0. --port defaults to 8080 (0 picks a free one), --host to 127.0.0.1 (0.0.0.0 for
every interface); a worker not seen for --stale-after seconds (default 15) is stale.`;

/** Resolves with the reason the server should stop. */
export type StopTrigger = (logger: Logger) => Promise<string>;

/** The first SIGINT or SIGTERM. */
const untilStopSignal: StopTrigger = () => firstStopSignal();

/** `thrift-queue serve`, stopping when `stop` resolves. */
export function serveCommandWith(stop: StopTrigger): CliCommand {
  return {
    name: "serve",
    summary: "serve the status API (jobs, workers, queues, scaler, health) over HTTP",
    usage: USAGE,
    async run(argv, io) {
      const { values } = parseOptions(argv, {
        store: { type: "string" },
        transport: { type: "string", multiple: true },
        port: { type: "string" },
        host: { type: "string" },
        "stale-after": { type: "string" },
        "log-level": { type: "string" },
      });
      const port = wholeNumber(values.port ?? "8080", "--port", 0);
      if (port > 65535) throw usageError(`--port must be a whole number ≤ 65535, got ${JSON.stringify(values.port)}`);
      const host = values.host ?? "127.0.0.1";
      if (host === "") throw usageError("--host must not be empty");
      const staleAfterMs = wholeNumber(values["stale-after"] ?? "15", "--stale-after", 1) * 1000;
      const logger = jsonLinesLogger((line) => io.writeStderr(line), logLevel(values["log-level"]));
      const transports: Transport[] = [];
      let store: StatusStore | undefined;
      let server: StatusServer | undefined;
      try {
        store = await openCliStore(values.store, logger);
        for (const url of values.transport ?? []) transports.push(await openCliTransport(url, CLI_TRANSPORT));
        const routes = [scalerRoute(store)];
        server = await startStatusServer({ store, transports, routes, logger, port, host, staleAfterMs });
        io.writeStdout(`listening on ${server.url}\n`);
        logger.info(
          { url: server.url, store: store.kind, queues: transports.map((t) => t.queue) },
          "status API started",
        );
        const reason = await stop(logger);
        logger.info({ reason }, "status API stopping");
      } finally {
        await server?.close();
        await Promise.all(transports.map((transport) => transport.close({ drainTimeoutMs: 0 })));
        await store?.close();
      }
      return 0;
    },
  };
}

/** How long to wait for a broker: an operator at a terminal, not a worker riding out a restart. */
const CLI_TRANSPORT = { connectTimeoutMs: 5000 } as const;

/** `thrift-queue serve`: until SIGINT or SIGTERM. */
export const serveCommand: CliCommand = serveCommandWith(untilStopSignal);
