import { decodeCall, decodeStruct } from "../../codec/dynamic/index.ts";
import { structToJson } from "../../codec/json/index.ts";
import { methodArgsStruct, methodResultStruct } from "../../model/method-structs.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { ServiceDef } from "../../model/schema.ts";
import type { CliCommand } from "../command.ts";
import { findNamedService, findNamedStruct, loadCliSchema } from "../load-cli-schema.ts";
import { INCLUDE_DIR_OPTION, parseOptions, protocolOption, requireOption } from "../parse-options.ts";
import { usageError } from "../usage-error.ts";

const USAGE = `Usage: thrift-queue decode --idl <file> (--type <Name> | --call [<Service>[.<method>]])
         [--protocol binary|compact] [-I <dir>]…

Reads Thrift bytes on stdin and prints JSON. For --call the output is
{"service", "method", "type": "oneway"|"call"|"reply"|"exception", "seqid", "args"}.`;

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
    const { values, positionals } = parseOptions(
      normalized,
      {
        idl: { type: "string" },
        type: { type: "string" },
        call: { type: "string" },
        protocol: { type: "string" },
        ...INCLUDE_DIR_OPTION,
      },
      USAGE,
    );
    if (positionals.length > 0) throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}\n${USAGE}`);
    if ((values.type === undefined) === (values.call === undefined))
      throw usageError(`give exactly one of --type or --call\n${USAGE}`);
    const protocol = protocolOption(values.protocol);
    const index = await loadCliSchema(requireOption(values.idl, "idl", USAGE), values["include-dir"] ?? []);
    const bytes = await io.readStdin();
    let output: unknown;
    if (values.type !== undefined) {
      const def = findNamedStruct(index, values.type);
      output = structToJson(index, def, decodeStruct(index, def, bytes, protocol));
    } else {
      output = decodeCallJson(index, values.call ?? "", bytes, protocol);
    }
    io.writeStdout(`${JSON.stringify(output)}\n`);
    return 0;
  },
};

function decodeCallJson(
  index: SchemaIndex,
  target: string,
  bytes: Uint8Array,
  protocol: "binary" | "compact",
): unknown {
  const [serviceName, methodName] = target === "" ? [undefined, undefined] : splitTarget(index, target);
  const service = serviceName === undefined ? undefined : findNamedService(index, serviceName);
  const call = decodeCall(index, bytes, { protocol, ...(service ? { service } : {}) });
  if (methodName !== undefined && call.method !== methodName) {
    throw usageError(`expected a call of ${methodName}, got ${call.method}`);
  }
  const args = argsJson(index, service ?? findServiceByName(index, call.service), call);
  return { service: call.service, method: call.method, type: call.type, seqid: call.seqid, args };
}

function argsJson(index: SchemaIndex, service: ServiceDef, call: ReturnType<typeof decodeCall>): unknown {
  if (call.type === "exception") return call.args;
  const method = index.allMethods(service).find((candidate) => candidate.name === call.method);
  if (!method) throw usageError(`unknown method ${call.method}`);
  const def =
    call.type === "reply"
      ? methodResultStruct(service.qualifiedName, method)
      : methodArgsStruct(service.qualifiedName, method);
  return structToJson(index, def, call.args);
}

function findServiceByName(index: SchemaIndex, name: string): ServiceDef {
  for (const document of index.schema.documents.values()) {
    const found = document.services.find((service) => service.name === name);
    if (found) return found;
  }
  throw usageError(`unknown service ${JSON.stringify(name)}`);
}

/** `Service`, `Service.method` or `include.Service.method`: a known service name wins over a method split. */
function splitTarget(index: SchemaIndex, target: string): [string, string | undefined] {
  const dot = target.lastIndexOf(".");
  if (dot === -1 || index.findService(index.qualify(target))) return [target, undefined];
  return [target.slice(0, dot), target.slice(dot + 1)];
}
