/**
 * Loads the handlers module of `thrift-queue worker`: a JS or TS file whose default export (or `handlers` export)
 * is an object keyed by service name, each an object with a function `(args, context) => result` for every method
 * of the service; or a factory `(dependencies) => that object` (sync or async) given {@link HandlerDependencies}.
 * Checked against the IDL before any job runs.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  dynamicServices,
  dynamicStructCodec,
  type DynamicServiceDescriptor,
  type DynamicStruct,
} from "../codec/dynamic/dynamic-services.ts";
import { DeclaredException } from "../consumer/declared-exception.ts";
import type { ServiceHandler } from "../consumer/handler-registry.ts";
import { ConfigError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { SchemaIndex } from "../model/schema-index.ts";
import { findNamedStruct } from "./load-cli-schema.ts";
import { usageError } from "./usage-error.ts";

/** What a handlers factory receives. */
export interface HandlerDependencies {
  /** The worker's logger (JSON lines on stderr); each job's `context.logger` is a child of it. */
  readonly logger: Logger;
  /**
   * Builds a declared exception to throw — `throw declaredException("UnreadableImage", { imageId, reason })` —
   * recorded as the job's `failed` outcome instead of being retried. `name` is `Name` (root file) or `include.Name`.
   */
  readonly declaredException: (name: string, fields: DynamicStruct) => DeclaredException<DynamicStruct>;
}

/** One service's handler, ready for `worker.handle`. */
export interface LoadedHandler {
  readonly service: DynamicServiceDescriptor;
  readonly handler: ServiceHandler<DynamicServiceDescriptor["methods"]>;
}

/** Imports `path` (relative to `cwd`) and matches its handlers with the schema's services; usage errors name the problem. */
export async function loadHandlers(
  path: string,
  cwd: string,
  index: SchemaIndex,
  logger: Logger,
): Promise<LoadedHandler[]> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw usageError(`cannot load --handlers ${path}: no such file ${file}`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw usageError(`cannot load --handlers ${path}: ${messageOf(error)}`);
  }
  let exported = module["default"] ?? module["handlers"];
  if (typeof exported === "function") {
    exported = await fromFactory(path, exported as HandlersFactory, { logger, declaredException: declarer(index) });
  }
  if (typeof exported !== "object" || exported === null) {
    throw usageError(`--handlers ${path} must export (default or "handlers") an object keyed by service name`);
  }
  const services = dynamicServices(index);
  const loaded: LoadedHandler[] = [];
  for (const [serviceName, handler] of Object.entries(exported)) {
    const matching = services.filter(
      (service) => service.name === serviceName || service.qualifiedName === serviceName,
    );
    const service = matching[0];
    if (service === undefined) {
      throw usageError(`--handlers ${path}: the IDL has no service ${JSON.stringify(serviceName)}`);
    }
    if (matching.length > 1) {
      throw usageError(`--handlers ${path}: service ${serviceName} is ambiguous; use its qualified name`);
    }
    loaded.push({ service, handler: checkedHandler(path, service, handler) });
  }
  if (loaded.length === 0) throw usageError(`--handlers ${path} handles no service`);
  return loaded;
}

/** A handlers module's factory form. */
type HandlersFactory = (dependencies: HandlerDependencies) => unknown;

async function fromFactory(
  path: string,
  factory: HandlersFactory,
  dependencies: HandlerDependencies,
): Promise<unknown> {
  try {
    return await factory(dependencies);
  } catch (error) {
    throw usageError(`--handlers ${path}: its factory failed: ${messageOf(error)}`);
  }
}

/** `declaredException` for handlers: the exception's dynamic codec, found by name. */
function declarer(index: SchemaIndex): HandlerDependencies["declaredException"] {
  return (name, fields) => {
    const def = findNamedStruct(index, name);
    if (def.kind !== "exception") throw new ConfigError("CONFIG_INVALID", `${name} is a ${def.kind}, not an exception`);
    return new DeclaredException(dynamicStructCodec(index, def), fields);
  };
}

/**
 * Every method needs a function (the worker dispatches every call it can decode, and a call it could not run would
 * only be dead-lettered); a function under a name the service does not have is a mistake worth stopping for.
 */
function checkedHandler(path: string, service: DynamicServiceDescriptor, handler: unknown): LoadedHandler["handler"] {
  if (typeof handler !== "object" || handler === null) {
    throw usageError(`--handlers ${path}: ${service.name} must be an object of method functions`);
  }
  const members = handler as Record<string, unknown>;
  for (const [name, value] of Object.entries(members)) {
    if (typeof value === "function" && !Object.hasOwn(service.methods, name)) {
      throw usageError(`--handlers ${path}: ${service.name} has no method ${JSON.stringify(name)}`);
    }
  }
  const missing = Object.keys(service.methods).filter((name) => typeof members[name] !== "function");
  if (missing.length > 0) {
    throw usageError(`--handlers ${path}: ${service.name} needs a function for ${missing.join(", ")}`);
  }
  return handler as LoadedHandler["handler"];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
