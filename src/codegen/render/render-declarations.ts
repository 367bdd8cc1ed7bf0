import type { ConstDef, EnumDef, TypedefDef } from "../../model/schema.ts";
import type { CodeBuilder } from "./code-builder.ts";
import { constExpression } from "./render-const-value.ts";
import type { RenderContext } from "./render-context.ts";
import { emitDocComment } from "./render-doc.ts";
import { literalKey, typeIdentifier } from "./typescript-names.ts";

/**
 * Emits an enum as a frozen object of numbers plus a type of the same name (erasable TypeScript, no `enum`):
 * decoding keeps unknown numbers from newer writers as they are.
 */
export function emitEnum(out: CodeBuilder, def: EnumDef): void {
  const name = typeIdentifier(def.name);
  emitDocComment(out, def.doc);
  out.block(
    `export const ${name} = {`,
    () => {
      for (const value of def.values) {
        emitDocComment(out, value.doc);
        out.line(`${literalKey(value.name)}: ${value.value},`);
      }
    },
    "} as const;",
  );
  out.line(`export type ${name} = (typeof ${name})[keyof typeof ${name}];`);
}

/** Emits a typedef as a type alias. */
export function emitTypedef(out: CodeBuilder, context: RenderContext, def: TypedefDef): void {
  emitDocComment(out, def.doc);
  out.line(`export type ${typeIdentifier(def.name)} = ${context.structuralType(def.type)};`);
}

/** Emits a constant; containers are typed read-only because they are shared by every importer. */
export function emitConst(out: CodeBuilder, context: RenderContext, def: ConstDef): void {
  emitDocComment(out, def.doc);
  const type = readonlyType(context, def);
  out.line(`export const ${typeIdentifier(def.name)}: ${type} = ${constExpression(context, def.type, def.value)};`);
}

function readonlyType(context: RenderContext, def: ConstDef): string {
  const type = def.type;
  if (type.typedef !== undefined) return context.tsType(type);
  switch (type.kind) {
    case "list":
      return `readonly ${context.tsType(type.element)}[]`;
    case "set":
      return `ReadonlySet<${context.tsType(type.element)}>`;
    case "map":
      return `ReadonlyMap<${context.tsType(type.key)}, ${context.tsType(type.value)}>`;
    case "bool":
    case "i8":
    case "i16":
    case "i32":
    case "i64":
    case "double":
    case "string":
    case "binary":
    case "enum":
    case "struct":
      return context.tsType(type);
  }
}
