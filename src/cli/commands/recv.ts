import { CodecError } from "../../errors.ts";
import { protocolOfContentType, MetadataKey } from "../../transport/envelope.ts";
import type { Delivery, Transport } from "../../transport/transport.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import { decodeCallJson } from "../call-json.ts";
import type { CliCommand } from "../command.ts";
import { loadCliSchema } from "../load-cli-schema.ts";
import { openCliTransport } from "../open-cli-transport.ts";
import { INCLUDE_DIR_OPTION, parseOptions, requireOption } from "../parse-options.ts";
import { usageError } from "../usage-error.ts";
import { wholeNumber } from "./send.ts";

const USAGE = `Usage: thrift-queue recv --idl <file> --transport <url> [--count N] [--timeout s] [--dlq] [--peek]
         [-I <dir>]…

Receives calls and prints each as one JSON line {"jobId", "service", "method", "args", "metadata"}, then acks
it. Stops after N messages (default: no limit) or when none arrives for --timeout seconds (default 5).
--dlq reads the dead-letter queue; --peek prints without acking where the broker allows it. A message that
cannot be decoded is reported on stderr and dead-lettered with the reason (never lost).`;

/** `thrift-queue recv`: read calls off a queue as JSON lines. */
export const recvCommand: CliCommand = {
  name: "recv",
  summary: "receive calls from a queue and print them as JSON lines",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseOptions(argv, {
      idl: { type: "string" },
      transport: { type: "string" },
      count: { type: "string" },
      timeout: { type: "string" },
      dlq: { type: "boolean" },
      peek: { type: "boolean" },
      ...INCLUDE_DIR_OPTION,
    });
    const count = values.count === undefined ? Infinity : wholeNumber(values.count, "--count", 1);
    const timeoutMs = seconds(values.timeout ?? "5") * 1000;
    const index = await loadCliSchema(requireOption(values.idl, "idl"), values["include-dir"] ?? []);
    const transport = await openCliTransport(values.transport);
    try {
      if (values.peek === true && !transport.capabilities.peek) {
        throw usageError(`--peek is not supported by the ${transport.kind} transport`);
      }
      const options = { deadLetters: values.dlq === true, peek: values.peek === true };
      let undecodable = 0;
      await receiveEach(transport, count, timeoutMs, options, async (delivery) => {
        const line = describe(index, delivery);
        if (line instanceof CodecError) {
          undecodable++;
          io.writeStderr(`thrift-queue: message ${delivery.id}: ${line.message}\n`);
          // Dead letters stay where they are; anything else goes there with the reason.
          if (options.deadLetters || options.peek) await delivery.nack();
          else await delivery.deadLetter(`${line.code}: ${line.message}`);
          return;
        }
        io.writeStdout(`${JSON.stringify(line)}\n`);
        if (options.peek) await delivery.nack();
        else await delivery.ack();
      });
      return undecodable > 0 ? 2 : 0;
    } finally {
      await transport.close({ drainTimeoutMs: 1000 });
    }
  },
};

function describe(index: SchemaIndex, delivery: Delivery): object | CodecError {
  const contentType = delivery.metadata[MetadataKey.contentType];
  const protocol = protocolOfContentType(contentType) ?? "binary";
  try {
    const call = decodeCallJson(index, "", delivery.payload, protocol);
    return {
      jobId: delivery.id,
      service: call.service,
      method: call.method,
      args: call.args,
      metadata: delivery.metadata,
    };
  } catch (error) {
    if (error instanceof CodecError) return error;
    throw error;
  }
}

/** Hands deliveries to `handle` one at a time until `count` were handled or none came for `idleMs`. */
async function receiveEach(
  transport: Transport,
  count: number,
  idleMs: number,
  options: { readonly deadLetters: boolean; readonly peek: boolean },
  handle: (delivery: Delivery) => Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  let idle = setTimeout(() => controller.abort(), idleMs);
  let handled = 0;
  // Peeked and undecodable dead letters go back to the queue; meeting one again means the queue went round.
  const seen = new Set<string>();
  try {
    for await (const delivery of transport.receive({ ...options, signal: controller.signal, maxInFlight: 1 })) {
      clearTimeout(idle);
      if (seen.has(delivery.id)) {
        await delivery.nack();
        break;
      }
      seen.add(delivery.id);
      await handle(delivery);
      if (++handled >= count) break;
      idle = setTimeout(() => controller.abort(), idleMs);
    }
  } finally {
    clearTimeout(idle);
  }
}

function seconds(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw usageError(`--timeout must be a number of seconds ≥ 0, got ${JSON.stringify(text)}`);
  }
  return value;
}
