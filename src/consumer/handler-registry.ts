/**
 * Dispatch through reflection data: each registered service's methods, bound to the handler's functions with their
 * resolved settings and the result-struct fields of the exceptions they declare. Several services share one
 * worker (one queue, multiplexed `Service:method` names).
 */
import type { MethodDescriptor, ServiceDescriptor } from "../codec/service-descriptor.ts";
import { ConfigError } from "../errors.ts";
import type { JobContext } from "./job-context.ts";
import { resolveMethodSettings, type MethodOptions, type MethodSettings } from "./method-settings.ts";
import type { RetryPolicy } from "./retry-policy.ts";

/** The arguments struct of a method descriptor. */
export type ArgsOf<M> = M extends MethodDescriptor<infer Args, unknown> ? Args : never;

/** What a handler returns for a method: the `success` field's type of its result struct, or nothing. */
export type ReturnOf<M> =
  M extends MethodDescriptor<unknown, infer Result>
    ? Result extends { success?: infer Success }
      ? "success" extends keyof Result
        ? Exclude<Success, undefined>
        : void
      : void
    : never;

/** A handler of every method of a service, as the generated `I<Service>Handler<Context>` interface declares. */
export type ServiceHandler<Methods extends Record<string, MethodDescriptor>, Context = JobContext> = {
  readonly [Name in keyof Methods]: (
    args: ArgsOf<Methods[Name]>,
    context: Context,
  ) => ReturnOf<Methods[Name]> | Promise<ReturnOf<Methods[Name]>>;
};

/** Options of `worker.handle()`. */
export interface HandleOptions<Methods extends Record<string, MethodDescriptor> = Record<string, MethodDescriptor>> {
  /** Per-method settings; they override the IDL annotations and the worker's defaults. */
  readonly methods?: { readonly [Name in keyof Methods]?: MethodOptions };
}

/** The function the worker calls for one method. */
export type MethodFunction = (args: unknown, context: JobContext) => unknown;

/** One registered method, ready to run. */
export interface Route {
  readonly service: ServiceDescriptor;
  readonly method: MethodDescriptor;
  readonly settings: MethodSettings;
  readonly invoke: MethodFunction;
  /** The handler object, as `this` for `invoke`. */
  readonly target: object;
  /** Declared exceptions: qualified exception name → field name in the result struct. */
  readonly exceptionFields: ReadonlyMap<string, string>;
}

/** The services a worker handles. */
export class HandlerRegistry {
  private readonly routes = new Map<ServiceDescriptor, Map<string, Route>>();
  private serviceList: readonly ServiceDescriptor[] = [];

  /** The registered services, for decoding. */
  get services(): readonly ServiceDescriptor[] {
    return this.serviceList;
  }

  /** Registers a service's handler; throws ConfigError for a duplicate service, a missing method or bad settings. */
  add(service: ServiceDescriptor, handler: object, options: HandleOptions, defaults: RetryPolicy): void {
    if (this.serviceList.some((known) => known.name === service.name)) {
      throw new ConfigError("CONFIG_INVALID", `a handler of service ${service.name} is already registered`);
    }
    const methodOptions = (options.methods ?? {}) as Readonly<Record<string, MethodOptions | undefined>>;
    const unknown = Object.keys(methodOptions).filter((name) => !Object.hasOwn(service.methods, name));
    if (unknown.length > 0) {
      throw new ConfigError("CONFIG_INVALID", `${service.name} has no method ${unknown.join(", ")}`);
    }
    const byName = new Map<string, Route>();
    const missing: string[] = [];
    for (const [name, method] of Object.entries(service.methods)) {
      const invoke: unknown = (handler as Record<string, unknown>)[name];
      if (typeof invoke !== "function") {
        missing.push(name);
        continue;
      }
      const label = `${service.name}.${name}`;
      byName.set(name, {
        service,
        method,
        settings: resolveMethodSettings(method, label, methodOptions[name], defaults),
        invoke: invoke as MethodFunction,
        target: handler,
        exceptionFields: exceptionFields(method),
      });
    }
    if (missing.length > 0) {
      throw new ConfigError("CONFIG_INVALID", `the handler of ${service.name} has no function ${missing.join(", ")}`);
    }
    this.routes.set(service, byName);
    this.serviceList = [...this.serviceList, service];
  }

  /** The route of a decoded call; undefined when the method is not registered. */
  route(service: ServiceDescriptor, method: MethodDescriptor): Route | undefined {
    return this.routes.get(service)?.get(method.name);
  }
}

function exceptionFields(method: MethodDescriptor): ReadonlyMap<string, string> {
  const fields = new Map<string, string>();
  for (const field of method.def.throws) {
    if (field.type.kind === "struct") fields.set(field.type.name, field.name);
  }
  return fields;
}
