import { encodeCall } from "../../codec/dynamic/index.ts";
import { argsStructOf } from "../../codec/dynamic/method-structs.ts";
import { structFromJson } from "../../codec/json/index.ts";
import { CodecError } from "../../errors.ts";
import { createProducer } from "../../producer/producer.ts";
import type { CliCommand } from "../command.ts";
import { findNamedMethod, findNamedService, loadCliSchema, splitServiceMethod } from "../load-cli-schema.ts";
import { openCliTransport } from "../open-cli-transport.ts";
import { INCLUDE_DIR_OPTION, parseOptions, protocolOption, requireOption } from "../parse-options.ts";
import { usageError } from "../usage-error.ts";

const USAGE = `Usage: thrift-queue send --idl <file> --transport <url> <Service>.<method> '<json args>'
         [--count N] [--protocol binary|compact] [--plain-names] [--delay-ms N] [-I <dir>]…

Encodes the call (arguments as a JSON object, see docs/wire-format.md) and sends it N times; prints one job
id per line once the broker has accepted each. Messages are named <Service>:<method> unless --plain-names.
Nothing is sent when the arguments are invalid.`;

/** `thrift-queue send`: one typed call onto a queue, without generated code. */
export const sendCommand: CliCommand = {
  name: "send",
  summary: "send a call (JSON arguments) to a queue; prints job ids",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseOptions(
      argv,
      {
        idl: { type: "string" },
        transport: { type: "string" },
        count: { type: "string" },
        protocol: { type: "string" },
        "plain-names": { type: "boolean" },
        "delay-ms": { type: "string" },
        ...INCLUDE_DIR_OPTION,
      },
      { allowPositionals: true },
    );
    const [target, argsText, extra] = positionals;
    if (target === undefined) throw usageError("missing <Service>.<method>");
    if (argsText === undefined) throw usageError("missing the JSON arguments");
    if (extra !== undefined) throw usageError(`unexpected argument ${JSON.stringify(extra)}`);
    const count = wholeNumber(values.count ?? "1", "--count", 1);
    const delayMs = wholeNumber(values["delay-ms"] ?? "0", "--delay-ms", 0);
    const protocol = protocolOption(values.protocol);
    const index = await loadCliSchema(requireOption(values.idl, "idl"), values["include-dir"] ?? []);
    const { service: serviceName, method: methodName } = splitServiceMethod(target);
    const service = findNamedService(index, serviceName);
    const method = findNamedMethod(index, service, methodName);
    const args = structFromJson(index, argsStructOf(service, method), parseArgsJson(argsText));
    const multiplexed = values["plain-names"] !== true;
    const payload = encodeCall(index, service, method.name, args, { protocol, multiplexed });
    // Everything is checked before the broker is contacted: bad input sends nothing.
    const transport = await openCliTransport(values.transport);
    try {
      const producer = createProducer({ transport, protocol });
      const sends = Array.from({ length: count }, () => producer.sendEncoded(payload, delayMs > 0 ? { delayMs } : {}));
      for (const receipt of await Promise.all(sends)) io.writeStdout(`${receipt.jobId}\n`);
    } finally {
      await transport.close({ drainTimeoutMs: 0 });
    }
    return 0;
  },
};

function parseArgsJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CodecError("CODEC_INVALID_VALUE", `the arguments are not valid JSON: ${reason}`);
  }
}

/** Parses a whole-number option ≥ `min`. */
export function wholeNumber(text: string, name: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw usageError(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}
