/** Matches a message name (`method` or `Service:method`) to a service and method of a schema. */
import { CodecError } from "../../errors.ts";
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { MethodDef, ServiceDef } from "../../model/schema.ts";

/** A service and one of its methods (possibly inherited). */
export interface CallTarget {
  readonly service: ServiceDef;
  readonly method: MethodDef;
}

/** Splits `Service:method` at the first colon, as TMultiplexedProcessor does. */
export function splitMessageName(name: string): { service: string | undefined; method: string } {
  const separator = name.indexOf(":");
  return separator === -1
    ? { service: undefined, method: name }
    : { service: name.slice(0, separator), method: name.slice(separator + 1) };
}

/**
 * Finds the target of a message. With `service`, the method must belong to it (and a multiplexed prefix must
 * name it). Otherwise a multiplexed prefix names the service (root documents first, then included ones), or
 * the method must belong to exactly one service of the root documents. Several services that share one
 * inherited method are not ambiguous: the service that declares the method is reported. Throws
 * CODEC_INVALID_VALUE for an unknown or ambiguous target.
 */
export function findCallTarget(index: SchemaIndex, messageName: string, service?: ServiceDef): CallTarget {
  const parts = splitMessageName(messageName);
  if (service !== undefined) {
    if (parts.service !== undefined && parts.service !== service.name) {
      throw invalid(`message ${JSON.stringify(messageName)} is not for service ${service.name}`);
    }
    return { service, method: requireMethod(index, service, parts.method) };
  }
  if (parts.service !== undefined) {
    const named = servicesNamed(index, parts.service);
    const [only] = named;
    if (only === undefined) throw invalid(`unknown service ${JSON.stringify(parts.service)}`);
    if (named.length > 1) throw invalid(`service name ${JSON.stringify(parts.service)} is ambiguous`);
    return { service: only, method: requireMethod(index, only, parts.method) };
  }
  return uniqueRootTarget(index, parts.method);
}

function uniqueRootTarget(index: SchemaIndex, methodName: string): CallTarget {
  const matches: CallTarget[] = [];
  for (const service of rootServices(index)) {
    const method = findMethod(index, service, methodName);
    if (method !== undefined) matches.push({ service, method });
  }
  const [first] = matches;
  if (first === undefined) throw invalid(`unknown method ${JSON.stringify(methodName)}`);
  if (matches.length === 1) return first;
  if (matches.some((match) => match.method !== first.method)) {
    const names = matches.map((match) => match.service.name).join(", ");
    throw invalid(`method ${JSON.stringify(methodName)} is ambiguous between services ${names}`);
  }
  return { service: declaringService(index, first.service, first.method), method: first.method };
}

function declaringService(index: SchemaIndex, service: ServiceDef, method: MethodDef): ServiceDef {
  let current: ServiceDef | undefined = service;
  while (current !== undefined) {
    if (current.methods.includes(method)) return current;
    current = current.extends === undefined ? undefined : index.findService(current.extends);
  }
  return service;
}

function rootServices(index: SchemaIndex): ServiceDef[] {
  return index.schema.roots.flatMap((module) => index.schema.documents.get(module)?.services ?? []);
}

function servicesNamed(index: SchemaIndex, name: string): ServiceDef[] {
  const inRoots = rootServices(index).filter((service) => service.name === name);
  if (inRoots.length > 0) return inRoots;
  return [...index.schema.documents.values()].flatMap((document) =>
    document.services.filter((service) => service.name === name),
  );
}

function findMethod(index: SchemaIndex, service: ServiceDef, methodName: string): MethodDef | undefined {
  return index.allMethods(service).find((method) => method.name === methodName);
}

function requireMethod(index: SchemaIndex, service: ServiceDef, methodName: string): MethodDef {
  const method = findMethod(index, service, methodName);
  if (method === undefined) {
    throw invalid(`unknown method ${JSON.stringify(methodName)} of service ${service.name}`);
  }
  return method;
}

function invalid(detail: string): CodecError {
  return new CodecError("CODEC_INVALID_VALUE", detail);
}
