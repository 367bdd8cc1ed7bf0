import { TransportError } from "../../errors.ts";
import type { QueueStats, Transport } from "../../transport/transport.ts";
import type { CliCommand } from "../command.ts";
import type { CliIo } from "../cli-io.ts";
import { openCliTransport } from "../open-cli-transport.ts";
import { parseOptions } from "../parse-options.ts";
import { usageError } from "../usage-error.ts";
import { wholeNumber } from "./send.ts";

const USAGE = `Usage: thrift-queue queues create|stats|purge|redrive <url> [--dlq-after N] [--human]

Manages the queue a transport URL names, and its dead-letter queue; prints one JSON line.
  create   creates the queue and its dead-letter queue when missing: {"created", "deadLetterQueue"}
  stats    depth: {"queue", "kind", "visible", "inFlight", "delayed", "oldestAgeMs", "deadLettered"}, null
           where unknown (--human: one readable line instead)
  purge    removes the messages waiting in the queue (not those in flight, not dead letters): {"purged"}
  redrive  moves every dead letter back to the queue as a first attempt, reason removed: {"redriven"}
--dlq-after N dead-letters a message after N deliveries (the URL's maxAttempts). Brokers that keep it with the
queue (AMQP quorum queues) take it at create, and then need the same N on every command; elsewhere it is each
consumer's setting. A broker that does not answer within 5 s is an error (exit 2).`;

/** The actions of `thrift-queue queues`. */
const ACTIONS = ["create", "stats", "purge", "redrive"] as const;
type Action = (typeof ACTIONS)[number];

/** How long the CLI waits for a broker connection: an operator at a terminal, not a worker riding out a restart. */
const CONNECT_TIMEOUT_MS = 5000;

/** `thrift-queue queues`: create, inspect, purge and redrive a queue. */
export const queuesCommand: CliCommand = {
  name: "queues",
  summary: "create, inspect (stats), purge or redrive a queue and its dead letters",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseOptions(
      argv,
      { "dlq-after": { type: "string" }, human: { type: "boolean" } },
      { allowPositionals: true },
    );
    const [actionText, url, extra] = positionals;
    const action = actionOf(actionText);
    if (url === undefined || url === "") throw usageError("missing the transport URL");
    if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}`);
    if (values.human === true && action !== "stats") throw usageError("--human applies to queues stats only");
    const dlqAfter = values["dlq-after"];
    const maxAttempts = dlqAfter === undefined ? undefined : wholeNumber(dlqAfter, "--dlq-after", 1);
    const transport = await openCliTransport(url, {
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    });
    try {
      await runAction(action, transport, io, values.human === true);
    } finally {
      await transport.close({ drainTimeoutMs: 0 });
    }
    return 0;
  },
};

function actionOf(text: string | undefined): Action {
  if (text === undefined) throw usageError(`missing the action: ${ACTIONS.join(", ")}`);
  const action = ACTIONS.find((candidate) => candidate === text);
  if (action === undefined) throw usageError(`unknown action ${JSON.stringify(text)}; use ${ACTIONS.join(", ")}`);
  return action;
}

async function runAction(action: Action, transport: Transport, io: CliIo, human: boolean): Promise<void> {
  const print = (value: object): void => io.writeStdout(`${JSON.stringify(value)}\n`);
  switch (action) {
    case "create": {
      const admin = adminOf(transport, action);
      await admin.create();
      print({ created: transport.queue, deadLetterQueue: admin.deadLetterQueue ?? null });
      return;
    }
    case "stats": {
      const stats = await transport.stats();
      if (human) io.writeStdout(`${readableStats(transport, stats)}\n`);
      else print({ queue: transport.queue, kind: transport.kind, ...statsJson(stats) });
      return;
    }
    case "purge":
      print({ purged: (await transport.purge()) ?? null });
      return;
    case "redrive":
      print({ redriven: (await adminOf(transport, action).redrive()) ?? null });
      return;
  }
}

function adminOf(transport: Transport, action: Action): NonNullable<Transport["admin"]> {
  if (transport.admin) return transport.admin;
  const message = `queues ${action} is not supported by the ${transport.kind} transport`;
  throw new TransportError("TRANSPORT_UNSUPPORTED", message, { queue: transport.queue });
}

/** The figures with `undefined` as `null`, in the order of {@link QueueStats}. */
function statsJson(stats: QueueStats): Record<keyof QueueStats, number | null> {
  return {
    visible: stats.visible,
    inFlight: stats.inFlight,
    delayed: stats.delayed,
    oldestAgeMs: stats.oldestAgeMs ?? null,
    deadLettered: stats.deadLettered ?? null,
  };
}

function readableStats(transport: Transport, stats: QueueStats): string {
  const dead = stats.deadLettered === undefined ? "? dead-lettered" : `${stats.deadLettered} dead-lettered`;
  const oldest = stats.oldestAgeMs === undefined ? "" : `; oldest waiting ${(stats.oldestAgeMs / 1000).toFixed(1)} s`;
  const counts = `${stats.visible} waiting, ${stats.inFlight} in flight, ${stats.delayed} delayed, ${dead}`;
  return `${transport.queue} (${transport.kind}): ${counts}${oldest}`;
}
