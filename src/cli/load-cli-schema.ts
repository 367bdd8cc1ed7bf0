import { loadSchema } from "../codegen/load-schema.ts";
import { ConfigError } from "../errors.ts";
import { SchemaIndex } from "../model/schema-index.ts";
import type { MethodDef, ServiceDef, StructDef } from "../model/schema.ts";
import { usageError } from "./usage-error.ts";

/** Loads the IDL named by `--idl` (dynamic mode: no generated code needed). */
export async function loadCliSchema(idl: string, includeDirs: readonly string[]): Promise<SchemaIndex> {
  return new SchemaIndex(await loadSchema([idl], { includeDirs }));
}

/** Finds a struct, union or exception by `Name` (root file) or `include.Name`, also through a typedef. */
export function findNamedStruct(index: SchemaIndex, name: string): StructDef {
  const qualified = index.qualify(name);
  const def = index.findStruct(qualified) ?? typedefTarget(index, qualified);
  if (!def) throw notFound(`unknown type ${JSON.stringify(name)}: no struct, union or exception of that name`);
  return def;
}

/** The struct a typedef such as `typedef common.Point Location` stands for, if it names one. */
function typedefTarget(index: SchemaIndex, qualified: string): StructDef | undefined {
  const module = qualified.slice(0, qualified.lastIndexOf("."));
  const typedef = index.schema.documents.get(module)?.typedefs.find((def) => def.qualifiedName === qualified);
  return typedef?.type.kind === "struct" ? index.findStruct(typedef.type.name) : undefined;
}

/** Finds a service by `Name` (root file) or `include.Name`. */
export function findNamedService(index: SchemaIndex, name: string): ServiceDef {
  const def = index.findService(index.qualify(name));
  if (!def) throw notFound(`unknown service ${JSON.stringify(name)}`);
  return def;
}

/** Finds a method of a service, inherited ones included. */
export function findNamedMethod(index: SchemaIndex, service: ServiceDef, name: string): MethodDef {
  const method = index.allMethods(service).find((candidate) => candidate.name === name);
  if (!method) throw notFound(`unknown method ${JSON.stringify(name)} of service ${service.name}`);
  return method;
}

/** Splits `Service.method` (the service may itself be `include.Service`) at its last dot. */
export function splitServiceMethod(text: string): { service: string; method: string } {
  const dot = text.lastIndexOf(".");
  if (dot <= 0 || dot === text.length - 1) throw usageError(`expected <Service>.<method>, got ${JSON.stringify(text)}`);
  return { service: text.slice(0, dot), method: text.slice(dot + 1) };
}

function notFound(message: string): ConfigError {
  return new ConfigError("CONFIG_NOT_FOUND", message);
}
