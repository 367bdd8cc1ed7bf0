import { encodeCall, encodeStruct } from "../../codec/dynamic/index.ts";
import { argsStructOf } from "../../codec/dynamic/method-structs.ts";
import { structFromJson } from "../../codec/json/index.ts";
import { CodecError } from "../../errors.ts";
import type { CliCommand } from "../command.ts";
import {
  findNamedMethod,
  findNamedService,
  findNamedStruct,
  loadCliSchema,
  splitServiceMethod,
} from "../load-cli-schema.ts";
import { INCLUDE_DIR_OPTION, parseOptions, protocolOption, requireOneOf, requireOption } from "../parse-options.ts";
import { readJsonInput } from "../stdin-input.ts";

const USAGE = `Usage: thrift-queue encode --idl <file> (--type <Name> | --call <Service>.<method>)
         [--protocol binary|compact] [--multiplexed] [-I <dir>]…

Reads one JSON value on stdin and writes the encoded bytes to stdout. --type names a struct, union,
exception or a typedef of one (<include>.<Name> for those of an included file). --call takes {"args": {…}}
and writes a complete message (ONEWAY for oneway methods, CALL otherwise, seqid 0); --multiplexed names it
<Service>:<method>.`;

/** `thrift-queue encode`: JSON on stdin to Thrift bytes on stdout. */
export const encodeCommand: CliCommand = {
  name: "encode",
  summary: "encode a JSON value or call (stdin) as Thrift bytes (stdout)",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseOptions(argv, {
      idl: { type: "string" },
      type: { type: "string" },
      call: { type: "string" },
      protocol: { type: "string" },
      multiplexed: { type: "boolean" },
      ...INCLUDE_DIR_OPTION,
    });
    requireOneOf(values, "type", "call");
    const protocol = protocolOption(values.protocol);
    const index = await loadCliSchema(requireOption(values.idl, "idl"), values["include-dir"] ?? []);
    let bytes: Uint8Array;
    if (values.type !== undefined) {
      const def = findNamedStruct(index, values.type);
      bytes = encodeStruct(index, def, structFromJson(index, def, await readJsonInput(io)), protocol);
    } else {
      const target = splitServiceMethod(values.call ?? "");
      const service = findNamedService(index, target.service);
      const method = findNamedMethod(index, service, target.method);
      const args = structFromJson(index, argsStructOf(service, method), callArgs(await readJsonInput(io)));
      bytes = encodeCall(index, service, method.name, args, { protocol, multiplexed: values.multiplexed ?? false });
    }
    io.writeStdout(bytes);
    return 0;
  },
};

/** The `args` of `{"args": {…}}`; the wrapper leaves room for message options later. */
function callArgs(json: unknown): unknown {
  if (typeof json !== "object" || json === null || Array.isArray(json) || !Object.hasOwn(json, "args")) {
    throw new CodecError("CODEC_INVALID_VALUE", `expected {"args": {…}} for --call`);
  }
  for (const key of Object.keys(json)) {
    if (key !== "args") throw new CodecError("CODEC_INVALID_VALUE", `unknown field ${JSON.stringify(key)}`);
  }
  return (json as { args: unknown }).args;
}
