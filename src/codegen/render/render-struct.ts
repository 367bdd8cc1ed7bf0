import type { FieldDef, StructDef } from "../../model/schema.ts";
import type { CodeBuilder } from "./code-builder.ts";
import { constExpression } from "./render-const-value.ts";
import type { RenderContext } from "./render-context.ts";
import { emitDocComment } from "./render-doc.ts";
import { emitReadValue, emitWriteValue, wireType } from "./render-value-codec.ts";
import { fieldRead, interfaceKey, literalKey, stringLiteral } from "./typescript-names.ts";

/** How a struct-like type is rendered: its TS name and where the codec finds its reflection data. */
export interface StructRendering {
  readonly typeName: string;
  readonly def: StructDef;
  /** Expression for `StructCodecSpec.def`, for structs the schema does not declare (method args/results). */
  readonly defExpression?: string;
}

/** Emits the interface (or union type) and the same-named codec value of a struct, union or exception. */
export function emitStruct(out: CodeBuilder, context: RenderContext, rendering: StructRendering): void {
  emitStructType(out, context, rendering);
  out.line();
  emitStructCodec(out, context, rendering);
}

function emitStructType(out: CodeBuilder, context: RenderContext, { typeName, def }: StructRendering): void {
  emitDocComment(out, def.doc);
  if (def.kind === "union") {
    if (def.fields.length === 0) {
      out.line(`export type ${typeName} = Record<string, never>;`);
      return;
    }
    out.line(`export type ${typeName} =`);
    out.indented(() => {
      for (const field of def.fields) {
        const others = def.fields.filter((other) => other !== field);
        const members = [
          `${interfaceKey(field.name)}: ${context.tsType(field.type)}`,
          ...others.map((other) => `${interfaceKey(other.name)}?: undefined`),
        ];
        out.line(`| { ${members.join("; ")} }`);
      }
    });
    out.line(";");
    return;
  }
  out.block(`export interface ${typeName} {`, () => {
    for (const field of def.fields) {
      emitDocComment(out, field.doc);
      // `| undefined` keeps the types usable under exactOptionalPropertyTypes, as decoders return unset fields so.
      const type = context.tsType(field.type);
      const declaration = field.requiredness === "required" ? `: ${type}` : `?: ${type} | undefined`;
      out.line(`${interfaceKey(field.name)}${declaration};`);
    }
  });
}

function emitStructCodec(out: CodeBuilder, context: RenderContext, rendering: StructRendering): void {
  const { typeName, def } = rendering;
  out.line(`/** Codec and reflection of {@link ${typeName}}. */`);
  out.block(
    `export const ${typeName}: $tq.StructCodec<${typeName}> = $tq.defineStruct<${typeName}>({`,
    () => {
      out.line(`qualifiedName: ${stringLiteral(def.qualifiedName)},`);
      out.line("schema,");
      if (rendering.defExpression !== undefined) out.line(`def: () => ${rendering.defExpression},`);
      const value = def.fields.length === 0 ? "_v" : "v";
      out.block(
        `write(${value}: ${typeName}, w: $tq.ProtocolWriter): void {`,
        () => emitWriteBody(out, context, def),
        "},",
      );
      out.block(`read(r: $tq.ProtocolReader): ${typeName} {`, () => emitReadBody(out, context, rendering), "},");
    },
    "});",
  );
}

function emitWriteBody(out: CodeBuilder, context: RenderContext, def: StructDef): void {
  out.line(`let field = "";`);
  if (def.kind === "union") out.line("let written = 0;");
  out.tryCatch(
    () => {
      out.line("w.writeStructBegin();");
      // Apache Thrift's generators write fields in ascending id order, whatever their declaration order.
      const byId = def.fields.map((field, position) => ({ field, position })).sort((a, b) => a.field.id - b.field.id);
      for (const { field, position } of byId) emitWriteField(out, context, def, field, `v${position}`);
      if (def.kind === "union") {
        out.line(`field = "";`);
        out.line("if (written !== 1) throw $tq.unionFieldCountError(written);");
      }
      out.line("w.writeFieldStop();");
      out.line("w.writeStructEnd();");
    },
    () => out.line("throw $tq.withFieldPath(error, field);"),
  );
}

function emitWriteField(
  out: CodeBuilder,
  context: RenderContext,
  def: StructDef,
  field: FieldDef,
  local: string,
): void {
  const read = fieldRead("v", field.name);
  const useDefault = field.default !== undefined && field.requiredness !== "optional" && def.kind !== "union";
  const fallback = useDefault && field.default ? ` ?? ${constExpression(context, field.type, field.default)}` : "";
  out.line(`field = ${stringLiteral(field.name)};`);
  out.line(`const ${local} = ${read}${fallback};`);
  const emitPresent = (): void => {
    out.line(`w.writeFieldBegin(${wireType(field.type)}, ${field.id});`);
    emitWriteValue(out, context, field.type, local);
    if (def.kind === "union") out.line("written++;");
  };
  if (useDefault) {
    emitPresent();
  } else if (field.requiredness === "required") {
    out.line(`if (${local} == null) throw $tq.missingRequiredField();`);
    emitPresent();
  } else {
    out.block(`if (${local} != null) {`, emitPresent);
  }
}

function emitReadBody(out: CodeBuilder, context: RenderContext, { typeName, def }: StructRendering): void {
  def.fields.forEach((field, position) => {
    out.line(`let v${position}: ${context.tsType(field.type)} | undefined;`);
  });
  out.line(`let field = "";`);
  out.line("r.readStructBegin();");
  out.tryCatch(
    () => {
      out.block("for (;;) {", () => {
        out.line("const type = r.readFieldBegin();");
        out.line("if (type === 0) break;");
        if (def.fields.length === 0) {
          out.line("r.skip(type);");
          return;
        }
        out.block("switch (r.fieldId) {", () => {
          def.fields.forEach((field, position) => {
            out.line(`case ${field.id}:`);
            out.indented(() => {
              out.block(`if (type === ${wireType(field.type)}) {`, () => {
                out.line(`field = ${stringLiteral(field.name)};`);
                emitReadValue(out, context, field.type, `v${position}`);
                out.line(`field = "";`);
              });
              out.line("else r.skip(type);");
              out.line("break;");
            });
          });
          out.line("default:");
          out.indented(() => out.line("r.skip(type);"));
        });
      });
    },
    () => out.line("throw $tq.withFieldPath(error, field);"),
  );
  out.line("r.readStructEnd();");
  if (def.kind === "union") emitUnionResult(out, typeName, def);
  else emitStructResult(out, context, def);
}

function emitStructResult(out: CodeBuilder, context: RenderContext, def: StructDef): void {
  def.fields.forEach((field, position) => {
    if (field.requiredness === "required") {
      out.line(`if (v${position} === undefined) throw $tq.missingRequiredField(${stringLiteral(field.name)});`);
    }
  });
  if (def.fields.length === 0) {
    out.line("return {};");
    return;
  }
  out.block(
    "return {",
    () => {
      def.fields.forEach((field, position) => {
        const fallback = field.default ? ` ?? ${constExpression(context, field.type, field.default)}` : "";
        out.line(`${literalKey(field.name)}: v${position}${fallback},`);
      });
    },
    "};",
  );
}

function emitUnionResult(out: CodeBuilder, typeName: string, def: StructDef): void {
  const present = def.fields.map((_, position) => `(v${position} === undefined ? 0 : 1)`);
  out.line(`const count = ${present.length === 0 ? "0" : present.join(" + ")};`);
  out.line("if (count !== 1) throw $tq.unionFieldCountError(count);");
  def.fields.forEach((field, position) => {
    out.line(`if (v${position} !== undefined) return { ${literalKey(field.name)}: v${position} } as ${typeName};`);
  });
  out.line("throw $tq.unionFieldCountError(0);");
}
