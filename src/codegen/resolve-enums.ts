import type { EnumDef, EnumValueDef } from "../model/schema.ts";
import { annotationsOf } from "./annotations.ts";
import { docCommentAt } from "./doc-comments.ts";
import { fitsInteger, parseIntegerLiteral } from "./idl-literals.ts";
import type { DeclarationOf } from "./scope.ts";
import { checkDefinitionName } from "./scope.ts";
import { errorAt, sourceLocation } from "./source-location.ts";

/** Resolves enums: implicit values (previous + 1, from 0), i32 range, unique member names. Memoized. */
export class EnumResolver {
  private readonly resolved = new Map<DeclarationOf<"enum">, EnumDef>();

  /** The resolved enum of a declaration. */
  enumDef(declaration: DeclarationOf<"enum">): EnumDef {
    const known = this.resolved.get(declaration);
    if (known !== undefined) return known;
    const { node, document } = declaration;
    const { idl } = document;
    const values: EnumValueDef[] = [];
    const seen = new Set<string>();
    let next = 0n;
    for (const member of node.members) {
      checkDefinitionName(idl, member.name);
      const name = member.name.value;
      if (seen.has(name)) {
        throw errorAt("GEN_DUPLICATE", `enum ${declaration.qualifiedName} already has a value "${name}"`, idl, member);
      }
      seen.add(name);
      const value = member.initializer === null ? next : parseIntegerLiteral(member.initializer.value.value);
      if (!fitsInteger(value, "i32")) {
        const where = member.initializer ?? member;
        throw errorAt("GEN_INVALID", `enum value ${name} = ${value} does not fit in i32`, idl, where);
      }
      next = value + 1n;
      const doc = docCommentAt(idl, member.loc.start.index);
      values.push({
        name,
        value: Number(value),
        annotations: annotationsOf(member.annotations),
        ...(doc === undefined ? {} : { doc }),
      });
    }
    const doc = docCommentAt(idl, node.loc.start.index);
    const def: EnumDef = {
      name: declaration.name,
      qualifiedName: declaration.qualifiedName,
      values,
      annotations: annotationsOf(node.annotations),
      ...(doc === undefined ? {} : { doc }),
      location: sourceLocation(idl, node.name.loc.start),
    };
    this.resolved.set(declaration, def);
    return def;
  }
}
