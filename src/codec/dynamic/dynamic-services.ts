/**
 * Service descriptors built from an IDL loaded at run time: the same shape generated code exports, with argument
 * and result codecs from the reflection-driven codec, so a worker dispatches dynamic calls exactly as generated
 * ones (`thrift-queue worker` runs handlers with no code generation). Values are what the dynamic codec reads:
 * structs as plain objects keyed by field name, i64 as bigint, binary as Uint8Array, sets as Set, maps as Map,
 * enums as numbers.
 */
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { MethodDef, ServiceDef, StructDef } from "../../model/schema.ts";
import type { MethodDescriptor, ServiceDescriptor } from "../service-descriptor.ts";
import { defineStruct, type StructCodec } from "../struct-codec.ts";
import { argsStructOf, resultStructOf } from "./method-structs.ts";
import { readStruct } from "./read-value.ts";
import { writeStruct } from "./write-value.ts";

/** A struct as the dynamic codec reads it: field name → value (absent optional fields are left out). */
export type DynamicStruct = Record<string, unknown>;

/** A `_result` struct as the dynamic codec reads it: `success` (the return value) or a declared exception's field. */
export type DynamicResult = { readonly success?: unknown } & DynamicStruct;

/** A method descriptor built at run time; its handler takes a {@link DynamicStruct} and may return any value. */
export type DynamicMethodDescriptor = MethodDescriptor<DynamicStruct, DynamicResult>;

/** A service descriptor built at run time. */
export type DynamicServiceDescriptor = ServiceDescriptor<Record<string, DynamicMethodDescriptor>>;

/** A descriptor for every service of every file of the schema. */
export function dynamicServices(index: SchemaIndex): DynamicServiceDescriptor[] {
  const services: DynamicServiceDescriptor[] = [];
  for (const document of index.schema.documents.values()) {
    for (const service of document.services) services.push(dynamicService(index, service));
  }
  return services;
}

/** The descriptor of one service, inherited methods included. */
export function dynamicService(index: SchemaIndex, service: ServiceDef): DynamicServiceDescriptor {
  const methods: Record<string, DynamicMethodDescriptor> = {};
  for (const method of index.allMethods(service)) methods[method.name] = dynamicMethod(index, service, method);
  return { name: service.name, qualifiedName: service.qualifiedName, methods, def: service, schema: index };
}

function dynamicMethod(index: SchemaIndex, service: ServiceDef, method: MethodDef): DynamicMethodDescriptor {
  return {
    name: method.name,
    oneway: method.oneway,
    args: dynamicStructCodec(index, argsStructOf(service, method)),
    result: method.oneway ? undefined : dynamicStructCodec(index, resultStructOf(service, method)),
    exceptions: exceptionCodecs(index, method),
    def: method,
  };
}

/** The declared exceptions' codecs by their field name in the result struct, as generated descriptors have them. */
function exceptionCodecs(index: SchemaIndex, method: MethodDef): Record<string, StructCodec<DynamicStruct>> {
  const codecs: Record<string, StructCodec<DynamicStruct>> = {};
  for (const field of method.throws) {
    if (field.type.kind === "struct") codecs[field.name] = dynamicStructCodec(index, index.struct(field.type.name));
  }
  return codecs;
}

const codecCache = new WeakMap<SchemaIndex, WeakMap<StructDef, StructCodec<DynamicStruct>>>();

/**
 * A StructCodec of any struct, union or exception of the schema, reading and writing {@link DynamicStruct}s; one
 * per definition, so `new DeclaredException(dynamicStructCodec(index, def), fields)` matches what the worker
 * declares.
 */
export function dynamicStructCodec(index: SchemaIndex, def: StructDef): StructCodec<DynamicStruct> {
  let byDef = codecCache.get(index);
  if (byDef === undefined) {
    byDef = new WeakMap();
    codecCache.set(index, byDef);
  }
  let codec = byDef.get(def);
  if (codec === undefined) {
    codec = defineStruct<DynamicStruct>({
      qualifiedName: def.qualifiedName,
      schema: () => index,
      def: () => def,
      write: (value, writer) => writeStruct(index, def, value, writer),
      read: (reader) => readStruct(index, def, reader),
    });
    byDef.set(def, codec);
  }
  return codec;
}
