/**
 * The resolved model of a set of Thrift IDL files: what the generator renders, what generated code exports as
 * reflection data, and what the dynamic codec walks. Plain readonly data, serializable as a literal.
 */

/** Thrift base types. `i8` is also spelled `byte` in IDL; it is normalized to `i8`. */
export type BaseTypeName = "bool" | "i8" | "i16" | "i32" | "i64" | "double" | "string" | "binary";

/** Fields common to every type reference. */
interface TypeRefCommon {
  /** When the IDL wrote a typedef here, its qualified name (`module.Name`); codecs ignore it. */
  readonly typedef?: string;
}

/** A resolved type: typedefs are looked through, enums and structs are named by qualified name. */
export type TypeRef =
  | (TypeRefCommon & { readonly kind: BaseTypeName })
  | (TypeRefCommon & { readonly kind: "list" | "set"; readonly element: TypeRef })
  | (TypeRefCommon & { readonly kind: "map"; readonly key: TypeRef; readonly value: TypeRef })
  | (TypeRefCommon & { readonly kind: "enum"; readonly name: string })
  | (TypeRefCommon & { readonly kind: "struct"; readonly name: string });

/** IDL annotations, `(key = "value")`, kept verbatim. */
export type Annotations = Readonly<Record<string, string>>;

/**
 * A constant value resolved against its declared type: integers (including enum references) are `int`,
 * `string` serves string and binary, `list` serves list and set, `map` serves map and struct (keys are field
 * names as strings for structs).
 */
export type ConstValue =
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "double"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "list"; readonly elements: readonly ConstValue[] }
  | { readonly kind: "map"; readonly entries: readonly (readonly [ConstValue, ConstValue])[] };

/** Where a definition was declared. Lines and columns are 1-based. */
export interface DefinitionLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** `required`, `optional`, or neither ("default requiredness": written when set, not required on read). */
export type Requiredness = "required" | "optional" | "default";

/** One field of a struct, union, exception, argument list or throws clause. */
export interface FieldDef {
  readonly id: number;
  readonly name: string;
  readonly type: TypeRef;
  readonly requiredness: Requiredness;
  readonly default?: ConstValue;
  readonly annotations: Annotations;
  readonly doc?: string;
}

/** A struct, union or exception. */
export interface StructDef {
  readonly kind: "struct" | "union" | "exception";
  /** The name in its own file. */
  readonly name: string;
  /** `module.Name`, unique across a schema. */
  readonly qualifiedName: string;
  readonly fields: readonly FieldDef[];
  readonly annotations: Annotations;
  readonly doc?: string;
  readonly location?: DefinitionLocation;
}

/** One member of an enum. */
export interface EnumValueDef {
  readonly name: string;
  readonly value: number;
  readonly annotations: Annotations;
  readonly doc?: string;
}

/** An enum with its resolved values (implicit values already assigned). */
export interface EnumDef {
  readonly name: string;
  readonly qualifiedName: string;
  readonly values: readonly EnumValueDef[];
  readonly annotations: Annotations;
  readonly doc?: string;
  readonly location?: DefinitionLocation;
}

/** A typedef, kept so the generator can emit a type alias. */
export interface TypedefDef {
  readonly name: string;
  readonly qualifiedName: string;
  readonly type: TypeRef;
  readonly annotations: Annotations;
  readonly doc?: string;
  readonly location?: DefinitionLocation;
}

/** A named constant with its resolved value. */
export interface ConstDef {
  readonly name: string;
  readonly qualifiedName: string;
  readonly type: TypeRef;
  readonly value: ConstValue;
  readonly doc?: string;
  readonly location?: DefinitionLocation;
}

/** One service method. `returnType` is null for `void` (and always for oneway methods). */
export interface MethodDef {
  readonly name: string;
  readonly oneway: boolean;
  readonly args: readonly FieldDef[];
  readonly returnType: TypeRef | null;
  readonly throws: readonly FieldDef[];
  readonly annotations: Annotations;
  readonly doc?: string;
}

/** A service; `extends` names the parent by qualified name. `methods` are the service's own methods only. */
export interface ServiceDef {
  readonly name: string;
  readonly qualifiedName: string;
  readonly extends?: string;
  readonly methods: readonly MethodDef[];
  readonly annotations: Annotations;
  readonly doc?: string;
  readonly location?: DefinitionLocation;
}

/** Everything declared in one IDL file. */
export interface SchemaDocument {
  /** Module name: the file's base name without `.thrift`; the prefix of qualified names. */
  readonly module: string;
  /** Path as given to the generator (relative paths stay relative). */
  readonly path: string;
  /** `namespace <scope> <name>` declarations. */
  readonly namespaces: Readonly<Record<string, string>>;
  /** Module names of the included documents, in include order. */
  readonly includes: readonly string[];
  readonly enums: readonly EnumDef[];
  readonly typedefs: readonly TypedefDef[];
  readonly consts: readonly ConstDef[];
  readonly structs: readonly StructDef[];
  readonly services: readonly ServiceDef[];
}

/** A resolved set of IDL files: the root documents asked for, plus everything they include. */
export interface Schema {
  /** Module names of the documents named on the command line, in that order. */
  readonly roots: readonly string[];
  /** Every document by module name. */
  readonly documents: ReadonlyMap<string, SchemaDocument>;
}
