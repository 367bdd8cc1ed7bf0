import { SyntaxType } from "@creditkarma/thrift-parser";
import type { FieldDefinition, Token } from "@creditkarma/thrift-parser";
import type { ConstValue, FieldDef, Requiredness, TypeRef } from "../model/schema.ts";
import { annotationsOf } from "./annotations.ts";
import { describeType } from "./const-coercion.ts";
import { docCommentAt } from "./doc-comments.ts";
import type { ParsedIdl } from "./parse-file.ts";
import type { ResolveContext } from "./resolve-context.ts";
import { checkDefinitionName } from "./scope.ts";
import type { ParsedDocument } from "./scope.ts";
import { errorAt, typeStart } from "./source-location.ts";
import { nextSignificantIndex, tokenIndexAt } from "./tokens.ts";

/** What a field list belongs to; decides the union, throws and id rules applied. */
export type FieldListKind = "struct" | "union" | "exception" | "arguments" | "throws";

/** Largest field id Apache Thrift accepts (ids are i16). */
const MAX_FIELD_ID = 32767;

/**
 * Resolves a field list: ids (missing or non-positive ids get -1, -2, ... with a warning, as Apache does),
 * unique ids and names, requiredness, types, default values; union and throws rules. `owner` names the list
 * in messages (`module.Struct` or `module.Service.method`).
 */
export function resolveFields(
  ctx: ResolveContext,
  document: ParsedDocument,
  nodes: readonly FieldDefinition[],
  kind: FieldListKind,
  owner: string,
): FieldDef[] {
  const { idl } = document;
  const fields: FieldDef[] = [];
  const ids = new Map<number, string>();
  let nextImplicitId = -1;
  let defaults = 0;
  for (const node of nodes) {
    checkDefinitionName(idl, node.name);
    const name = node.name.value;
    const id = fieldId(ctx, idl, node, owner, nextImplicitId);
    if (id === nextImplicitId) nextImplicitId--;
    if (fields.some((field) => field.name === name)) {
      throw errorAt("GEN_DUPLICATE", `${owner} already has a field named "${name}"`, idl, node.name);
    }
    const holder = ids.get(id);
    if (holder !== undefined) {
      throw errorAt(
        "GEN_DUPLICATE",
        `field id ${id} of "${name}" is already used by "${holder}" in ${owner}`,
        idl,
        node.fieldID ?? node.name,
      );
    }
    ids.set(id, name);
    const type = ctx.types.resolveField(document, node.fieldType);
    const written = writtenRequiredness(idl, node);
    if (kind === "union" && written.requiredness === "required") {
      const detail = `field "${name}" of union ${owner} cannot be required (union fields are always optional)`;
      throw errorAt("GEN_INVALID", detail, idl, written.token);
    }
    if (kind === "throws") checkException(ctx, document, node, type, owner);
    let defaultValue: ConstValue | undefined;
    if (node.defaultValue !== null) {
      defaultValue = ctx.consts.value(document, node.defaultValue, type);
      if (kind === "union" && ++defaults > 1) {
        throw errorAt(
          "GEN_INVALID",
          `union ${owner} gives a default value to more than one field`,
          idl,
          node.defaultValue,
        );
      }
    }
    const doc = docCommentAt(idl, node.loc.start.index);
    fields.push({
      id,
      name,
      type,
      requiredness: kind === "union" ? "optional" : written.requiredness,
      ...(defaultValue === undefined ? {} : { default: defaultValue }),
      annotations: annotationsOf(node.annotations),
      ...(doc === undefined ? {} : { doc }),
    });
  }
  return fields;
}

/** The explicit id, or `implicitId` (with a warning) when the id is missing or not positive, as Apache does. */
function fieldId(
  ctx: ResolveContext,
  idl: ParsedIdl,
  node: FieldDefinition,
  owner: string,
  implicitId: number,
): number {
  const explicit = node.fieldID;
  const name = node.name.value;
  if (explicit !== null && explicit.value > 0) {
    if (explicit.value > MAX_FIELD_ID) {
      const detail = `field id ${explicit.value} of ${owner}.${name} is out of range (1..${MAX_FIELD_ID})`;
      throw errorAt("GEN_INVALID", detail, idl, explicit);
    }
    return explicit.value;
  }
  const why =
    explicit === null
      ? `no field id given for ${owner}.${name}`
      : `field id ${explicit.value} of ${owner}.${name} is not positive`;
  const detail = `${why}; assigned ${implicitId} as Apache Thrift does, which is fragile across versions`;
  ctx.warn(detail, idl, (explicit ?? node).loc.start);
  return implicitId;
}

/**
 * The requiredness as written, read from the tokens: the creditkarma parser forces every union field to
 * `optional`, which would hide a `required` union field.
 */
function writtenRequiredness(idl: ParsedIdl, node: FieldDefinition): { requiredness: Requiredness; token: Token } {
  const start = node.fieldID === null ? node.loc.start.index : node.fieldID.loc.end.index;
  const index = nextSignificantIndex(idl.tokens, tokenIndexAt(idl.tokens, start));
  const token = idl.tokens[index] ?? idl.tokens[idl.tokens.length - 1];
  if (token === undefined) throw new Error("token list without EOF");
  if (token.type === SyntaxType.RequiredKeyword) return { requiredness: "required", token };
  if (token.type === SyntaxType.OptionalKeyword) return { requiredness: "optional", token };
  return { requiredness: "default", token };
}

function checkException(
  ctx: ResolveContext,
  document: ParsedDocument,
  node: FieldDefinition,
  type: TypeRef,
  owner: string,
): void {
  const declaration = type.kind === "struct" ? ctx.scope.byQualifiedName(type.name) : undefined;
  if (declaration?.kind === "struct" && declaration.node.type === SyntaxType.ExceptionDefinition) return;
  const detail = `throws clause of ${owner} may only list exceptions, but "${node.name.value}" is ${describeType(type)}`;
  throw errorAt("GEN_INVALID", detail, document.idl, typeStart(document.idl, node.fieldType));
}
