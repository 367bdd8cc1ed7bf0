/**
 * The `_args` and `_result` structs of service methods, built once per method: the field-table cache is keyed
 * by StructDef identity, so rebuilding them on every call would defeat it.
 */
import { methodArgsStruct, methodResultStruct } from "../../model/method-structs.ts";
import type { MethodDef, ServiceDef, StructDef } from "../../model/schema.ts";

interface MethodStructs {
  args?: StructDef;
  result?: StructDef;
}

const cache = new WeakMap<MethodDef, Map<string, MethodStructs>>();

/** The `<Service>_<method>_args` struct of `method` as called through `service`. */
export function argsStructOf(service: ServiceDef, method: MethodDef): StructDef {
  const entry = entryOf(service, method);
  return (entry.args ??= methodArgsStruct(service.qualifiedName, method));
}

/** The `<Service>_<method>_result` struct of `method` as called through `service`. */
export function resultStructOf(service: ServiceDef, method: MethodDef): StructDef {
  const entry = entryOf(service, method);
  return (entry.result ??= methodResultStruct(service.qualifiedName, method));
}

function entryOf(service: ServiceDef, method: MethodDef): MethodStructs {
  let byService = cache.get(method);
  if (byService === undefined) {
    byService = new Map();
    cache.set(method, byService);
  }
  let entry = byService.get(service.qualifiedName);
  if (entry === undefined) {
    entry = {};
    byService.set(service.qualifiedName, entry);
  }
  return entry;
}
