/**
 * Loads the handlers module of `thrift-queue worker`: a JS or TS file whose default export (or `handlers` export)
 * is an object keyed by service name, each an object of method functions `(args, context) => result`; or a
 * function `({ logger }) => that object` (sync or async). Checked against the IDL before any job runs.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { MethodDescriptor, ServiceDescriptor } from "../codec/service-descriptor.ts";
import type { ServiceHandler } from "../consumer/handler-registry.ts";
import type { Logger } from "../logger.ts";
import { usageError } from "./usage-error.ts";

/** One service's handler, ready for `worker.handle`. */
export interface LoadedHandler {
  readonly service: ServiceDescriptor;
  readonly handler: ServiceHandler<Record<string, MethodDescriptor>>;
}

/** Imports `path` (relative to `cwd`) and matches its handlers with `services`; throws a usage error naming the problem. */
export async function loadHandlers(
  path: string,
  cwd: string,
  services: readonly ServiceDescriptor[],
  logger: Logger,
): Promise<LoadedHandler[]> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw usageError(`cannot load --handlers ${path}: no such file ${file}`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw usageError(`cannot load --handlers ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let exported = module["default"] ?? module["handlers"];
  if (typeof exported === "function") exported = await fromFactory(path, exported as HandlersFactory, logger);
  if (typeof exported !== "object" || exported === null) {
    throw usageError(`--handlers ${path} must export (default or "handlers") an object keyed by service name`);
  }
  const loaded: LoadedHandler[] = [];
  for (const [serviceName, handler] of Object.entries(exported)) {
    const matching = services.filter(
      (service) => service.name === serviceName || service.qualifiedName === serviceName,
    );
    const service = matching[0];
    if (service === undefined)
      throw usageError(`--handlers ${path}: the IDL has no service ${JSON.stringify(serviceName)}`);
    if (matching.length > 1)
      throw usageError(`--handlers ${path}: service ${serviceName} is ambiguous; use its qualified name`);
    loaded.push({ service, handler: checkedHandler(path, service, handler) });
  }
  if (loaded.length === 0) throw usageError(`--handlers ${path} handles no service`);
  return loaded;
}

/** A handlers module's factory form. */
type HandlersFactory = (dependencies: { logger: Logger }) => unknown;

async function fromFactory(path: string, factory: HandlersFactory, logger: Logger): Promise<unknown> {
  try {
    return await factory({ logger });
  } catch (error) {
    throw usageError(
      `--handlers ${path}: its factory failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function checkedHandler(path: string, service: ServiceDescriptor, handler: unknown): LoadedHandler["handler"] {
  if (typeof handler !== "object" || handler === null) {
    throw usageError(`--handlers ${path}: ${service.name} must be an object of method functions`);
  }
  const functions = handler as Record<string, unknown>;
  for (const name of Object.keys(functions)) {
    if (!Object.hasOwn(service.methods, name))
      throw usageError(`--handlers ${path}: ${service.name} has no method ${JSON.stringify(name)}`);
  }
  const missing = Object.keys(service.methods).filter((name) => typeof functions[name] !== "function");
  if (missing.length > 0) {
    throw usageError(`--handlers ${path}: ${service.name} needs a function for ${missing.join(", ")}`);
  }
  return handler as LoadedHandler["handler"];
}
