import { APPLICATION_EXCEPTION_DEF } from "../../codec/dynamic/application-exception.ts";
import { decodeCall, decodeStruct, type DecodedCall } from "../../codec/dynamic/index.ts";
import { findCallTarget, splitMessageName } from "../../codec/dynamic/find-call-target.ts";
import { argsStructOf, resultStructOf } from "../../codec/dynamic/method-structs.ts";
import { structToJson, type JsonObject } from "../../codec/json/index.ts";
import type { ProtocolName } from "../../codec/protocol.ts";
import { CodecError } from "../../errors.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { ServiceDef, StructDef } from "../../model/schema.ts";
import type { CliCommand } from "../command.ts";
import { findNamedService, findNamedStruct, loadCliSchema } from "../load-cli-schema.ts";
import { INCLUDE_DIR_OPTION, parseOptions, protocolOption, requireOneOf, requireOption } from "../parse-options.ts";
import { requireSingleMessage, requireSingleStruct } from "../single-value.ts";
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

function decodeCallJson(index: SchemaIndex, target: string, bytes: Uint8Array, protocol: ProtocolName): unknown {
  const [serviceName, methodName] = target === "" ? [undefined, undefined] : splitTarget(index, target);
  const service = serviceName === undefined ? undefined : findNamedService(index, serviceName);
  const call = decodeCall(index, bytes, { protocol, ...(service ? { service } : {}) });
  const messageName = requireSingleMessage(bytes, protocol);
  // decodeCall names an exception after the given service whatever its prefix says; a mismatch is an error here.
  const prefix = splitMessageName(messageName).service;
  if (service !== undefined && prefix !== undefined && prefix !== service.name) {
    throw new CodecError(
      "CODEC_INVALID_VALUE",
      `message ${JSON.stringify(messageName)} is not for service ${service.name}`,
    );
  }
  if (methodName !== undefined && call.method !== methodName) {
    throw new CodecError("CODEC_INVALID_VALUE", `expected a message of method ${methodName}, got ${call.method}`);
  }
  const args = structToJson(index, bodyStruct(index, call, messageName, service), call.args);
  return { service: call.service, method: call.method, type: call.type, seqid: call.seqid, args };
}

/**
 * The struct `decodeCall` read the body as. The target is looked up again from the message name (rather than
 * from the service name in the result, which is unqualified and may be shared by services of other files).
 */
function bodyStruct(index: SchemaIndex, call: DecodedCall, messageName: string, service?: ServiceDef): StructDef {
  if (call.type === "exception") return APPLICATION_EXCEPTION_DEF;
  const found = findCallTarget(index, messageName, service);
  return call.type === "reply"
    ? resultStructOf(found.service, found.method)
    : argsStructOf(found.service, found.method);
}

/** `Service`, `Service.method` or `include.Service.method`: a known service name wins over a method split. */
function splitTarget(index: SchemaIndex, target: string): [string, string | undefined] {
  const dot = target.lastIndexOf(".");
  if (dot === -1 || index.findService(index.qualify(target))) return [target, undefined];
  return [target.slice(0, dot), target.slice(dot + 1)];
}
