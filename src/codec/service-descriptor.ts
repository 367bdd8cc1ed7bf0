import type { SchemaIndex } from "../model/schema-index.ts";
import type { MethodDef, ServiceDef } from "../model/schema.ts";
import type { StructCodec } from "./struct-codec.ts";

/** One method as the runtime sees it: reflection data plus the codecs of its argument and result structs. */
export interface MethodDescriptor<Args = unknown, Result = unknown> {
  /** The method name as written in the IDL and in message headers. */
  readonly name: string;
  readonly oneway: boolean;
  /** Codec of the `<method>_args` struct. */
  readonly args: StructCodec<Args>;
  /** Codec of the `<method>_result` struct (field 0 `success`, then the declared exceptions); absent for oneway. */
  readonly result: StructCodec<Result> | undefined;
  /**
   * The codecs of the declared exceptions, by their field name in the result struct (`{ unreadable:
   * UnreadableImage }`), so a producer can rebuild a `DeclaredException` from a stored result. Generated
   * descriptors always have it; descriptors built at run time may not.
   */
  readonly exceptions?: Readonly<Record<string, StructCodec<unknown>>>;
  /** Reflection data: argument ids and types, return type, exceptions, annotations. */
  readonly def: MethodDef;
}

/** A service as generated code exports it; `methods` includes those inherited through `extends`. */
export interface ServiceDescriptor<
  Methods extends Record<string, MethodDescriptor> = Record<string, MethodDescriptor>,
> {
  /** Unqualified service name, as used in multiplexed message names (`Service:method`). */
  readonly name: string;
  readonly qualifiedName: string;
  readonly methods: Methods;
  /** Reflection data of the service itself (its own methods only, plus `extends`). */
  readonly def: ServiceDef;
  /** The schema the service belongs to, for generic tools. */
  readonly schema: SchemaIndex;
}

/** What generated code supplies to {@link defineService}. */
export interface ServiceDescriptorSpec<Methods extends Record<string, MethodDescriptor>> {
  readonly qualifiedName: string;
  readonly schema: () => SchemaIndex;
  readonly methods: Methods;
}

/** Builds a {@link ServiceDescriptor}; reflection data is looked up lazily so modules may import each other. */
export function defineService<Methods extends Record<string, MethodDescriptor>>(
  spec: ServiceDescriptorSpec<Methods>,
): ServiceDescriptor<Methods> {
  const separator = spec.qualifiedName.lastIndexOf(".");
  const name = spec.qualifiedName.slice(separator + 1);
  let cachedDef: ServiceDef | undefined;
  return {
    name,
    qualifiedName: spec.qualifiedName,
    methods: spec.methods,
    get def(): ServiceDef {
      if (cachedDef) return cachedDef;
      const found = spec.schema().findService(spec.qualifiedName);
      if (!found) throw new Error(`schema has no service ${spec.qualifiedName}`);
      cachedDef = found;
      return found;
    },
    get schema(): SchemaIndex {
      return spec.schema();
    },
  };
}

const NO_EXCEPTIONS: Readonly<Record<string, StructCodec<unknown>>> = Object.freeze({});

/** What generated code supplies to {@link defineMethod}. */
export interface MethodDescriptorSpec<Args, Result> {
  readonly service: string;
  readonly name: string;
  readonly oneway: boolean;
  readonly schema: () => SchemaIndex;
  readonly args: StructCodec<Args>;
  readonly result?: StructCodec<Result>;
  /** The declared exceptions' codecs by result field name (see {@link MethodDescriptor.exceptions}). */
  readonly exceptions?: Readonly<Record<string, StructCodec<unknown>>> | undefined;
}

/** Builds a {@link MethodDescriptor}; `service` is the qualified name of the service that declares it. */
export function defineMethod<Args, Result = undefined>(
  spec: MethodDescriptorSpec<Args, Result>,
): MethodDescriptor<Args, Result> {
  let cachedDef: MethodDef | undefined;
  return {
    name: spec.name,
    oneway: spec.oneway,
    args: spec.args,
    result: spec.result,
    exceptions: spec.exceptions ?? NO_EXCEPTIONS,
    get def(): MethodDef {
      if (cachedDef) return cachedDef;
      const service = spec.schema().findService(spec.service);
      const found = service?.methods.find((method) => method.name === spec.name);
      if (!found) throw new Error(`schema has no method ${spec.service}.${spec.name}`);
      cachedDef = found;
      return found;
    },
  };
}
