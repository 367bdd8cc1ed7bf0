/** Name <-> number tables of enums for the JSON mapping, built once per EnumDef. */
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { EnumDef } from "../../model/schema.ts";

/** Both directions of one enum's members. */
export interface EnumNames {
  readonly byName: ReadonlyMap<string, number>;
  readonly byValue: ReadonlyMap<number, string>;
}

const cache = new WeakMap<EnumDef, EnumNames>();

/** The (cached) member tables of the enum with this qualified name. */
export function enumNames(index: SchemaIndex, qualifiedName: string): EnumNames {
  const def = index.enum(qualifiedName);
  let names = cache.get(def);
  if (names === undefined) {
    const byName = new Map<string, number>();
    const byValue = new Map<number, string>();
    for (const member of def.values) {
      byName.set(member.name, member.value);
      // Values are unique in a valid schema; should one repeat, the first name is the canonical one.
      if (!byValue.has(member.value)) byValue.set(member.value, member.name);
    }
    names = { byName, byValue };
    cache.set(def, names);
  }
  return names;
}
