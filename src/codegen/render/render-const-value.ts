import type { ConstValue, TypeRef } from "../../model/schema.ts";
import type { RenderContext } from "./render-context.ts";
import { literalKey, stringLiteral } from "./typescript-names.ts";

/** A TypeScript expression that builds `value` as a runtime value of `type` (fresh containers each time). */
export function constExpression(context: RenderContext, type: TypeRef, value: ConstValue): string {
  switch (type.kind) {
    case "bool":
      return String(expectKind(value, "bool").value);
    case "i8":
    case "i16":
    case "i32":
      return String(expectKind(value, "int").value);
    case "enum":
      return `${String(expectKind(value, "int").value)} as ${context.tsType(type)}`;
    case "i64":
      return `${String(expectKind(value, "int").value)}n`;
    case "double":
      return doubleLiteral(value);
    case "string":
      return stringLiteral(expectKind(value, "string").value);
    case "binary":
      return `$tq.utf8Bytes(${stringLiteral(expectKind(value, "string").value)})`;
    case "list": {
      const items = expectKind(value, "list").elements.map((item) => constExpression(context, type.element, item));
      return `[${items.join(", ")}]`;
    }
    case "set": {
      const items = expectKind(value, "list").elements.map((item) => constExpression(context, type.element, item));
      return `new Set<${context.tsType(type.element)}>([${items.join(", ")}])`;
    }
    case "map": {
      const entries = expectKind(value, "map").entries.map(
        ([key, item]) => `[${constExpression(context, type.key, key)}, ${constExpression(context, type.value, item)}]`,
      );
      return `new Map<${context.tsType(type.key)}, ${context.tsType(type.value)}>([${entries.join(", ")}])`;
    }
    case "struct":
      return structLiteral(context, type.name, value);
  }
}

function structLiteral(context: RenderContext, qualifiedName: string, value: ConstValue): string {
  const def = context.index.struct(qualifiedName);
  const parts = expectKind(value, "map").entries.map(([key, item]) => {
    const fieldName = expectKind(key, "string").value;
    const field = def.fields.find((candidate) => candidate.name === fieldName);
    if (!field) throw new Error(`${qualifiedName} has no field ${fieldName}`);
    return `${literalKey(fieldName)}: ${constExpression(context, field.type, item)}`;
  });
  const literal = `{ ${parts.join(", ")} }`;
  // TypeScript checks an object literal's inherited members (`toString`, `valueOf` …) against same-named
  // fields, so a struct with such a field needs its literal asserted; the runtime object is plain data.
  const shadowsPrototype = def.fields.some((field) => field.name in Object.prototype);
  return shadowsPrototype ? `(${literal} as unknown as ${context.reference(qualifiedName)})` : literal;
}

function doubleLiteral(value: ConstValue): string {
  const number = value.kind === "int" ? Number(value.value) : expectKind(value, "double").value;
  if (Number.isNaN(number)) return "Number.NaN";
  if (number === Infinity) return "Number.POSITIVE_INFINITY";
  if (number === -Infinity) return "Number.NEGATIVE_INFINITY";
  return Object.is(number, -0) ? "-0" : String(number);
}

function expectKind<K extends ConstValue["kind"]>(value: ConstValue, kind: K): Extract<ConstValue, { kind: K }> {
  if (value.kind !== kind) throw new Error(`expected a ${kind} constant, got ${value.kind}`);
  return value as Extract<ConstValue, { kind: K }>;
}
