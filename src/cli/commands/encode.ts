import { encodeCall, encodeStruct } from "../../codec/dynamic/index.ts";
import { structFromJson } from "../../codec/json/index.ts";
import { CodecError } from "../../errors.ts";
import { methodArgsStruct } from "../../model/method-structs.ts";
import type { CliCommand } from "../command.ts";
import { findNamedService, findNamedStruct, loadCliSchema, splitServiceMethod } from "../load-cli-schema.ts";
import { INCLUDE_DIR_OPTION, parseOptions, protocolOption, requireOption } from "../parse-options.ts";
import { usageError } from "../usage-error.ts";

const USAGE = `Usage: thrift-queue encode --idl <file> (--type <Name> | --call <Service>.<method>)
         [--protocol binary|compact] [--multiplexed] [-I <dir>]…

Reads one JSON value on stdin and writes the encoded bytes to stdout. --call takes {"args": {…}} and writes a
complete message (ONEWAY for oneway methods, CALL otherwise, seqid 0).`;

/** `thrift-queue encode`: JSON on stdin to Thrift bytes on stdout. */
export const encodeCommand: CliCommand = {
  name: "encode",
  summary: "encode a JSON value or call (stdin) as Thrift bytes (stdout)",
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseOptions(
      argv,
      {
        idl: { type: "string" },
        type: { type: "string" },
        call: { type: "string" },
        protocol: { type: "string" },
        multiplexed: { type: "boolean" },
        ...INCLUDE_DIR_OPTION,
      },
      USAGE,
    );
    if (positionals.length > 0) throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}\n${USAGE}`);
    if ((values.type === undefined) === (values.call === undefined))
      throw usageError(`give exactly one of --type or --call\n${USAGE}`);
    const protocol = protocolOption(values.protocol);
    const index = await loadCliSchema(requireOption(values.idl, "idl", USAGE), values["include-dir"] ?? []);
    const json = parseJson(new TextDecoder().decode(await io.readStdin()));
    let bytes: Uint8Array;
    if (values.type !== undefined) {
      const def = findNamedStruct(index, values.type);
      bytes = encodeStruct(index, def, structFromJson(index, def, json), protocol);
    } else {
      const target = splitServiceMethod(values.call ?? "");
      const service = findNamedService(index, target.service);
      const method = index.allMethods(service).find((candidate) => candidate.name === target.method);
      if (!method) throw usageError(`unknown method ${JSON.stringify(target.method)} of service ${service.name}`);
      const argsJson = callArgs(json);
      const args = structFromJson(index, methodArgsStruct(service.qualifiedName, method), argsJson);
      bytes = encodeCall(index, service, method.name, args, { protocol, multiplexed: values.multiplexed ?? false });
    }
    io.writeStdout(bytes);
    return 0;
  },
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CodecError(
      "CODEC_INVALID_VALUE",
      `invalid JSON on stdin: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function callArgs(json: unknown): unknown {
  if (typeof json !== "object" || json === null || Array.isArray(json) || !Object.hasOwn(json, "args")) {
    throw new CodecError("CODEC_INVALID_VALUE", `expected {"args": {…}} for --call`);
  }
  for (const key of Object.keys(json)) {
    if (key !== "args") throw new CodecError("CODEC_INVALID_VALUE", `unknown field ${JSON.stringify(key)}`);
  }
  return (json as { args: unknown }).args;
}
