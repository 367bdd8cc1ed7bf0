import { TType } from "../../codec/protocol.ts";
import type { TypeRef } from "../../model/schema.ts";
import type { CodeBuilder } from "./code-builder.ts";
import type { RenderContext } from "./render-context.ts";

/** The wire type (TType) a value of `type` is written as. */
export function wireType(type: TypeRef): number {
  switch (type.kind) {
    case "bool":
      return TType.BOOL;
    case "i8":
      return TType.BYTE;
    case "i16":
      return TType.I16;
    case "i32":
    case "enum":
      return TType.I32;
    case "i64":
      return TType.I64;
    case "double":
      return TType.DOUBLE;
    case "string":
    case "binary":
      return TType.STRING;
    case "struct":
      return TType.STRUCT;
    case "map":
      return TType.MAP;
    case "set":
      return TType.SET;
    case "list":
      return TType.LIST;
  }
}

/** Kinds written and read by a single protocol call. */
type ScalarKind = Exclude<TypeRef["kind"], "struct" | "list" | "set" | "map">;

const SCALAR_WRITERS: Record<ScalarKind, string> = {
  bool: "writeBool",
  i8: "writeByte",
  i16: "writeI16",
  i32: "writeI32",
  enum: "writeI32",
  i64: "writeI64",
  double: "writeDouble",
  string: "writeString",
  binary: "writeBinary",
};

const SCALAR_READERS: Record<ScalarKind, string> = {
  bool: "readBool",
  i8: "readByte",
  i16: "readI16",
  i32: "readI32",
  enum: "readI32",
  i64: "readI64",
  double: "readDouble",
  string: "readString",
  binary: "readBinary",
};

/** Emits statements writing the value of expression `value` (already known to be present) to writer `w`. */
export function emitWriteValue(out: CodeBuilder, context: RenderContext, type: TypeRef, value: string): void {
  switch (type.kind) {
    case "struct":
      out.line(`${context.reference(type.name)}.write(${value}, w);`);
      return;
    case "list":
      emitWriteList(out, context, type.element, value);
      return;
    case "set":
      emitWriteSet(out, context, type.element, value);
      return;
    case "map":
      emitWriteMap(out, context, type.key, type.value, value);
      return;
    case "bool":
    case "i8":
    case "i16":
    case "i32":
    case "enum":
    case "i64":
    case "double":
    case "string":
    case "binary":
      out.line(`w.${SCALAR_WRITERS[type.kind]}(${value});`);
      return;
  }
}

function emitWriteList(out: CodeBuilder, context: RenderContext, element: TypeRef, value: string): void {
  const list = out.fresh("list");
  const index = out.fresh("i");
  out.block("{", () => {
    out.line(`const ${list} = ${value};`);
    out.line(`w.writeListBegin(${wireType(element)}, ${list}.length);`);
    out.line(`let ${index} = 0;`);
    out.tryCatch(
      () => {
        out.block(`for (; ${index} < ${list}.length; ${index}++) {`, () => {
          emitWriteValue(out, context, element, `${list}[${index}]!`);
        });
      },
      () => out.line(`throw $tq.withFieldPath(error, "[" + ${index} + "]");`),
    );
  });
}

function emitWriteSet(out: CodeBuilder, context: RenderContext, element: TypeRef, value: string): void {
  const set = out.fresh("set");
  const index = out.fresh("i");
  const item = out.fresh("item");
  out.block("{", () => {
    out.line(`const ${set} = ${value};`);
    out.line(`w.writeSetBegin(${wireType(element)}, ${set}.size);`);
    out.line(`let ${index} = 0;`);
    out.tryCatch(
      () => {
        out.block(`for (const ${item} of ${set}) {`, () => {
          emitWriteValue(out, context, element, item);
          out.line(`${index}++;`);
        });
      },
      () => out.line(`throw $tq.withFieldPath(error, "[" + ${index} + "]");`),
    );
  });
}

function emitWriteMap(out: CodeBuilder, context: RenderContext, key: TypeRef, valueType: TypeRef, value: string): void {
  const map = out.fresh("map");
  const entryKey = out.fresh("key");
  const entryValue = out.fresh("value");
  const current = out.fresh("current");
  out.block("{", () => {
    out.line(`const ${map} = ${value};`);
    out.line(`w.writeMapBegin(${wireType(key)}, ${wireType(valueType)}, ${map}.size);`);
    out.line(`let ${current}: unknown = undefined;`);
    out.tryCatch(
      () => {
        out.block(`for (const [${entryKey}, ${entryValue}] of ${map}) {`, () => {
          out.line(`${current} = ${entryKey};`);
          emitWriteValue(out, context, key, entryKey);
          emitWriteValue(out, context, valueType, entryValue);
        });
      },
      () => out.line(`throw $tq.withFieldPath(error, $tq.mapKeySegment(${current}));`),
    );
  });
}

/** Emits statements reading a value of `type` from reader `r` and assigning it to the variable `target`. */
export function emitReadValue(out: CodeBuilder, context: RenderContext, type: TypeRef, target: string): void {
  switch (type.kind) {
    case "struct":
      out.line(`${target} = ${context.reference(type.name)}.read(r);`);
      return;
    case "list":
    case "set":
      emitReadCollection(out, context, type.kind, type.element, target);
      return;
    case "map":
      emitReadMap(out, context, type.key, type.value, target);
      return;
    case "enum":
      out.line(`${target} = r.readI32() as ${context.tsType(type)};`);
      return;
    case "bool":
    case "i8":
    case "i16":
    case "i32":
    case "i64":
    case "double":
    case "string":
    case "binary":
      out.line(`${target} = r.${SCALAR_READERS[type.kind]}();`);
      return;
  }
}

function emitReadCollection(
  out: CodeBuilder,
  context: RenderContext,
  kind: "list" | "set",
  element: TypeRef,
  target: string,
): void {
  const size = out.fresh("size");
  const index = out.fresh("i");
  const collection = out.fresh(kind);
  const item = out.fresh("item");
  const elementType = context.tsType(element);
  out.block("{", () => {
    out.line(`const ${size} = r.${kind === "list" ? "readListBegin" : "readSetBegin"}();`);
    out.line(
      `if (${size} > 0 && r.elementType !== ${wireType(element)}) $tq.unexpectedWireType(r.elementType, ${wireType(element)});`,
    );
    out.line(
      kind === "list"
        ? `const ${collection}: ${elementType}[] = [];`
        : `const ${collection} = new Set<${elementType}>();`,
    );
    out.line(`let ${index} = 0;`);
    out.tryCatch(
      () => {
        out.block(`for (; ${index} < ${size}; ${index}++) {`, () => {
          out.line(`let ${item}: ${elementType};`);
          emitReadValue(out, context, element, item);
          out.line(kind === "list" ? `${collection}.push(${item});` : `${collection}.add(${item});`);
        });
      },
      () => out.line(`throw $tq.withFieldPath(error, "[" + ${index} + "]");`),
    );
    out.line("r.readContainerEnd();");
    out.line(`${target} = ${collection};`);
  });
}

function emitReadMap(out: CodeBuilder, context: RenderContext, key: TypeRef, value: TypeRef, target: string): void {
  const size = out.fresh("size");
  const index = out.fresh("i");
  const map = out.fresh("map");
  const entryKey = out.fresh("key");
  const entryValue = out.fresh("value");
  const current = out.fresh("current");
  const keyType = context.tsType(key);
  const valueType = context.tsType(value);
  out.block("{", () => {
    out.line(`const ${size} = r.readMapBegin();`);
    out.line(
      `if (${size} > 0 && (r.keyType !== ${wireType(key)} || r.valueType !== ${wireType(value)})) ` +
        `$tq.unexpectedMapTypes(r.keyType, r.valueType, ${wireType(key)}, ${wireType(value)});`,
    );
    out.line(`const ${map} = new Map<${keyType}, ${valueType}>();`);
    out.line(`let ${current}: unknown = undefined;`);
    out.tryCatch(
      () => {
        out.block(`for (let ${index} = 0; ${index} < ${size}; ${index}++) {`, () => {
          out.line(`${current} = undefined;`);
          out.line(`let ${entryKey}: ${keyType};`);
          emitReadValue(out, context, key, entryKey);
          out.line(`${current} = ${entryKey};`);
          out.line(`let ${entryValue}: ${valueType};`);
          emitReadValue(out, context, value, entryValue);
          out.line(`${map}.set(${entryKey}, ${entryValue});`);
        });
      },
      () => out.line(`throw $tq.withFieldPath(error, $tq.mapKeySegment(${current}));`),
    );
    out.line("r.readContainerEnd();");
    out.line(`${target} = ${map};`);
  });
}
