import { decodeStruct } from "../../codec/dynamic/index.ts";
import { structToJson, type JsonObject } from "../../codec/json/index.ts";
import type { ProtocolName } from "../../codec/protocol.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { StructDef } from "../../model/schema.ts";
import { decodeCallJson } from "../call-json.ts";
import type { CliCommand } from "../command.ts";
import { findNamedStruct, loadCliSchema } from "../load-cli-schema.ts";
import { INCLUDE_DIR_OPTION, parseOptions, protocolOption, requireOneOf, requireOption } from "../parse-options.ts";
import { requireSingleStruct } from "../single-value.ts";
import { readBytesInput } from "../stdin-input.ts";

const USAGE = `Usage: thrift-queue decode --idl <file> (--type <Name> | --call [<Service>[.<method>]])
         [--protocol binary|compact] [-I <dir>]…

Reads one Thrift struct or message on stdin and prints it as JSON. For --call the output is
{"service", "method", "type": "oneway"|"call"|"reply"|"exception", "seqid", "args"}: args holds the
arguments of a call, the result struct of a reply, or the TApplicationException of an exception.
Bytes after the end of the struct or message are an error (exit 2).`;

/** `thrift-queue decode`: Thrift bytes on stdin to JSON on stdout. */
export const decodeCommand: CliCommand = {
  name: "decode",
  summary: "decode Thrift bytes (stdin) as JSON (stdout)",
  usage: USAGE,
  async run(argv, io) {
    // `--call` takes an optional value, which parseArgs cannot express: a bare `--call` becomes `--call=`.
    const normalized = argv.map((arg, position) =>
      arg === "--call" && (argv[position + 1] === undefined || argv[position + 1]?.startsWith("-")) ? "--call=" : arg,
    );
    const { values } = parseOptions(normalized, {
      idl: { type: "string" },
      type: { type: "string" },
      call: { type: "string" },
      protocol: { type: "string" },
      ...INCLUDE_DIR_OPTION,
    });
    requireOneOf(values, "type", "call");
    const protocol = protocolOption(values.protocol);
    const index = await loadCliSchema(requireOption(values.idl, "idl"), values["include-dir"] ?? []);
    const bytes = await readBytesInput(io);
    const output =
      values.type === undefined
        ? decodeCallJson(index, values.call ?? "", bytes, protocol)
        : decodeStructJson(index, findNamedStruct(index, values.type), bytes, protocol);
    io.writeStdout(`${JSON.stringify(output)}\n`);
    return 0;
  },
};

function decodeStructJson(index: SchemaIndex, def: StructDef, bytes: Uint8Array, protocol: ProtocolName): JsonObject {
  const value = decodeStruct(index, def, bytes, protocol);
  requireSingleStruct(bytes, protocol);
  return structToJson(index, def, value);
}
