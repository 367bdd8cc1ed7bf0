/** Hand-built schemas for the dynamic codec and JSON mapping tests: every TypeRef kind, recursion, services. */
import { SchemaIndex } from "../../../src/model/schema-index.ts";
import type {
  ConstValue,
  EnumDef,
  FieldDef,
  MethodDef,
  Requiredness,
  SchemaDocument,
  ServiceDef,
  StructDef,
  TypeRef,
} from "../../../src/model/schema.ts";

/** TypeRef builders. */
export const T = {
  bool: { kind: "bool" },
  i8: { kind: "i8" },
  i16: { kind: "i16" },
  i32: { kind: "i32" },
  i64: { kind: "i64" },
  double: { kind: "double" },
  string: { kind: "string" },
  binary: { kind: "binary" },
  list: (element: TypeRef): TypeRef => ({ kind: "list", element }),
  set: (element: TypeRef): TypeRef => ({ kind: "set", element }),
  map: (key: TypeRef, value: TypeRef): TypeRef => ({ kind: "map", key, value }),
  enum: (name: string): TypeRef => ({ kind: "enum", name: `t.${name}` }),
  struct: (name: string, module = "t"): TypeRef => ({ kind: "struct", name: `${module}.${name}` }),
} as const satisfies Record<string, TypeRef | ((...args: never[]) => TypeRef)>;

/** ConstValue builders. */
export const C = {
  int: (value: number | bigint): ConstValue => ({ kind: "int", value: BigInt(value) }),
  str: (value: string): ConstValue => ({ kind: "string", value }),
  bool: (value: boolean): ConstValue => ({ kind: "bool", value }),
  double: (value: number): ConstValue => ({ kind: "double", value }),
  list: (...elements: ConstValue[]): ConstValue => ({ kind: "list", elements }),
  map: (...entries: [ConstValue, ConstValue][]): ConstValue => ({ kind: "map", entries }),
};

/** A field; requiredness defaults to "default". */
export function field(
  id: number,
  name: string,
  type: TypeRef,
  requiredness: Requiredness = "default",
  def?: ConstValue,
): FieldDef {
  return { id, name, type, requiredness, annotations: {}, ...(def === undefined ? {} : { default: def }) };
}

function struct(name: string, fields: FieldDef[], kind: StructDef["kind"] = "struct", module = "t"): StructDef {
  return { kind, name, qualifiedName: `${module}.${name}`, fields, annotations: {} };
}

function method(name: string, args: FieldDef[], returnType: TypeRef | null, extra: Partial<MethodDef> = {}): MethodDef {
  return { name, oneway: false, args, returnType, throws: [], annotations: {}, ...extra };
}

function service(name: string, methods: MethodDef[], parent?: string, module = "t"): ServiceDef {
  return { name, qualifiedName: `${module}.${name}`, methods, annotations: {}, ...(parent ? { extends: parent } : {}) };
}

const color: EnumDef = {
  name: "Color",
  qualifiedName: "t.Color",
  values: [
    { name: "RED", value: 1, annotations: {} },
    { name: "GREEN", value: 2, annotations: {} },
    { name: "BLUE", value: 5, annotations: {} },
  ],
  annotations: {},
};

const point = struct("Point", [field(1, "x", T.i32, "required"), field(2, "y", T.i32, "required")]);

const choice = struct(
  "Choice",
  [field(1, "text", T.string), field(2, "number", T.i32), field(3, "point", T.struct("Point"))],
  "union",
);

const oops = struct("Oops", [field(1, "message", T.string), field(2, "code", T.i32)], "exception");

/** Every TypeRef kind, nested containers and all map key styles; no defaults, no required fields. */
const everything = struct("Everything", [
  field(1, "b", T.bool),
  field(2, "byte", T.i8),
  field(3, "small", T.i16),
  field(4, "medium", T.i32),
  field(5, "big", T.i64),
  field(6, "d", T.double),
  field(7, "s", T.string),
  field(8, "bin", T.binary),
  field(9, "color", T.enum("Color")),
  field(10, "ints", T.list(T.i32)),
  field(11, "tags", T.set(T.string)),
  field(12, "points", T.map(T.string, T.struct("Point"))),
  field(13, "nested", T.map(T.i64, T.list(T.struct("Point")))),
  field(14, "byColor", T.map(T.enum("Color"), T.double)),
  field(15, "byPoint", T.map(T.struct("Point"), T.string)),
  field(16, "byBool", T.map(T.bool, T.i8)),
  field(17, "byBinary", T.map(T.binary, T.string)),
  field(18, "choice", T.struct("Choice"), "optional"),
  field(19, "deep", T.list(T.map(T.i32, T.set(T.i64)))),
  field(20, "byDouble", T.map(T.double, T.bool)),
  field(21, "oops", T.struct("Oops"), "optional"),
  field(22, "bySmall", T.map(T.i16, T.list(T.binary))),
  field(23, "bools", T.list(T.bool)),
  field(24, "colors", T.set(T.enum("Color"))),
  field(25, "byList", T.map(T.list(T.i32), T.string)),
  field(-3, "negative", T.i32),
  field(300, "far", T.bool),
]);

const tree = struct("Tree", [field(1, "name", T.string, "required"), field(2, "children", T.list(T.struct("Tree")))]);

const defaults = struct("Defaults", [
  field(1, "count", T.i32, "default", C.int(7)),
  field(2, "name", T.string, "required", C.str("n")),
  field(3, "tags", T.list(T.string), "optional", C.list(C.str("a"), C.str("b"))),
  field(4, "origin", T.struct("Point"), "default", C.map([C.str("x"), C.int(0)], [C.str("y"), C.int(1)])),
  field(5, "big", T.i64, "optional", C.int(5)),
  field(6, "raw", T.binary, "default", C.str("hi")),
  field(7, "ids", T.set(T.i32), "default", C.list(C.int(1), C.int(2))),
  field(8, "m", T.map(T.string, T.i32), "default", C.map([C.str("a"), C.int(1)])),
  field(9, "ratio", T.double, "default", C.int(1)),
  field(10, "color", T.enum("Color"), "default", C.int(2)),
  field(11, "flag", T.bool, "default", C.bool(true)),
  field(12, "plain", T.string),
]);

const protoNames = struct("ProtoNames", [
  field(1, "constructor", T.string),
  field(2, "__proto__", T.string),
  field(3, "class", T.string),
  field(4, "delete", T.i32),
  field(5, "toString", T.string),
  field(6, "hasOwnProperty", T.map(T.string, T.i32), "optional"),
  field(7, "valueOf", T.list(T.struct("Point"))),
]);

const job = struct("Job", [field(1, "owner", T.string, "required"), field(2, "priority", T.i32, "optional")]);
const entry = struct("Entry", [field(1, "micros", T.i64, "required"), field(2, "memo", T.string)]);
const ledger = struct("Ledger", [
  field(1, "ledger", T.map(T.string, T.list(T.struct("Entry")))),
  field(2, "jobs", T.map(T.i32, T.struct("Job"))),
  field(3, "job", T.struct("Job")),
]);
const emptyUnion = struct("Nothing", [], "union");

const base = service("Base", [
  method("ping", [], null),
  method("add", [field(1, "a", T.i32), field(2, "b", T.i32)], T.i32, {
    throws: [field(1, "oops", T.struct("Oops"))],
  }),
]);

const calc = service(
  "Calc",
  [
    method("fire", [field(1, "what", T.string)], null, { oneway: true }),
    method("move", [field(1, "p", T.struct("Point")), field(2, "dx", T.i32, "required")], T.struct("Point"), {
      throws: [field(1, "err", T.struct("Oops"))],
    }),
    method("job", [field(1, "job", T.struct("Job"))], T.list(T.struct("Job"))),
  ],
  "t.Base",
);

/** `add` here makes plain (non-multiplexed) `add` messages ambiguous between Base and Other. */
const other = service("Other", [method("add", [field(1, "x", T.string)], null)]);

const sharedThing = struct("Thing", [field(1, "id", T.i64)], "struct", "shared");
const remote = service("Remote", [method("status", [], T.struct("Thing", "shared"))], undefined, "shared");

const rootDocument: SchemaDocument = {
  module: "t",
  path: "t.thrift",
  namespaces: {},
  includes: ["shared"],
  enums: [color],
  typedefs: [],
  consts: [],
  structs: [point, choice, oops, everything, tree, defaults, protoNames, job, entry, ledger, emptyUnion],
  services: [base, calc, other],
};

const sharedDocument: SchemaDocument = {
  module: "shared",
  path: "shared.thrift",
  namespaces: {},
  includes: [],
  enums: [],
  typedefs: [],
  consts: [],
  structs: [sharedThing],
  services: [remote],
};

/** The test schema: root `t`, included `shared`. */
export const index = new SchemaIndex({
  roots: ["t"],
  documents: new Map([
    ["t", rootDocument],
    ["shared", sharedDocument],
  ]),
});

/** A struct of the test schema by unqualified name (module `t` unless given). */
export function def(name: string, module = "t"): StructDef {
  return index.struct(`${module}.${name}`);
}

/** A service of the test schema by unqualified name. */
export function svc(name: string, module = "t"): ServiceDef {
  const found = index.findService(`${module}.${name}`);
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

/** Both protocols, for describe.each. */
export const protocols = ["binary", "compact"] as const;
