/**
 * Per-struct lookup tables, computed once per StructDef and cached in a WeakMap: the dynamic codec and the JSON
 * mapping would otherwise rescan `fields` and recompute wire types for every value.
 */
import type { SchemaIndex } from "../../model/schema-index.ts";
import type { ConstValue, FieldDef, StructDef, TypeRef } from "../../model/schema.ts";
import type { TTypeId } from "../protocol.ts";
import { constToValue } from "./const-to-value.ts";
import { isPrototypeName } from "./own-fields.ts";
import { wireTypeOf } from "./wire-type.ts";

/** One field with everything the codecs need precomputed. */
export interface FieldInfo {
  readonly def: FieldDef;
  readonly id: number;
  readonly name: string;
  readonly type: TypeRef;
  readonly wireType: TTypeId;
  /** Position in {@link FieldTable.fields}. */
  readonly slot: number;
  readonly required: boolean;
  /** The name exists on Object.prototype, so reads must check own properties. */
  readonly protoName: boolean;
  /** The IDL default, if any (unions never get defaults applied). */
  readonly defaultValue: ConstValue | undefined;
  /**
   * Whether an unset value is written as its default: required and default-requiredness fields of structs and
   * exceptions, as Apache's constructors set them (optional fields stay unset; unions never).
   */
  readonly writesDefault: boolean;
}

/** The lookup tables of one struct, union or exception. */
export interface FieldTable {
  readonly def: StructDef;
  readonly isUnion: boolean;
  /** Fields in declaration order (the order of the JSON mapping and of decoded values). */
  readonly fields: readonly FieldInfo[];
  /**
   * Fields in ascending id order, the order they are written in: Apache Thrift's generators write a struct's
   * fields sorted by id whatever their declaration order (implicit ids are negative, so they come first).
   */
  readonly writeOrder: readonly FieldInfo[];
  readonly byId: ReadonlyMap<number, FieldInfo>;
  readonly byName: ReadonlyMap<string, FieldInfo>;
}

const tables = new WeakMap<StructDef, FieldTable>();

/** The (cached) lookup tables of `def`. */
export function fieldTable(def: StructDef): FieldTable {
  let table = tables.get(def);
  if (table === undefined) {
    table = buildTable(def);
    tables.set(def, table);
  }
  return table;
}

/** A fresh runtime value of the field's default (containers are never shared between values). */
export function fieldDefault(index: SchemaIndex, field: FieldInfo): unknown {
  return field.defaultValue === undefined ? undefined : constToValue(index, field.type, field.defaultValue);
}

function buildTable(def: StructDef): FieldTable {
  const isUnion = def.kind === "union";
  const fields = def.fields.map((field, slot): FieldInfo => ({
    def: field,
    id: field.id,
    name: field.name,
    type: field.type,
    wireType: wireTypeOf(field.type),
    slot,
    required: field.requiredness === "required",
    protoName: isPrototypeName(field.name),
    defaultValue: isUnion ? undefined : field.default,
    writesDefault: !isUnion && field.default !== undefined && field.requiredness !== "optional",
  }));
  return {
    def,
    isUnion,
    fields,
    writeOrder: [...fields].sort((a, b) => a.id - b.id),
    byId: new Map(fields.map((field) => [field.id, field])),
    byName: new Map(fields.map((field) => [field.name, field])),
  };
}
