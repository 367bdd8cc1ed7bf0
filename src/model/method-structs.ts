import type { FieldDef, MethodDef, StructDef } from "./schema.ts";

/** The `<Service>_<method>_args` struct Apache Thrift puts on the wire for a call. */
export function methodArgsStruct(serviceQualifiedName: string, method: MethodDef): StructDef {
  const name = `${unqualified(serviceQualifiedName)}_${method.name}_args`;
  return {
    kind: "struct",
    name,
    qualifiedName: `${moduleOf(serviceQualifiedName)}.${name}`,
    fields: method.args,
    annotations: {},
  };
}

/**
 * The `<Service>_<method>_result` struct of a reply: field 0 `success` (absent for void) and the declared
 * exceptions, all optional, exactly as Apache Thrift's compiler declares it.
 */
export function methodResultStruct(serviceQualifiedName: string, method: MethodDef): StructDef {
  const name = `${unqualified(serviceQualifiedName)}_${method.name}_result`;
  const success: FieldDef[] =
    method.returnType === null
      ? []
      : [{ id: 0, name: "success", type: method.returnType, requiredness: "optional", annotations: {} }];
  const exceptions = method.throws.map((field): FieldDef => ({ ...field, requiredness: "optional" }));
  return {
    kind: "struct",
    name,
    qualifiedName: `${moduleOf(serviceQualifiedName)}.${name}`,
    fields: [...success, ...exceptions],
    annotations: {},
  };
}

function unqualified(qualifiedName: string): string {
  return qualifiedName.slice(qualifiedName.lastIndexOf(".") + 1);
}

function moduleOf(qualifiedName: string): string {
  return qualifiedName.slice(0, qualifiedName.lastIndexOf("."));
}
