/** fast-check arbitraries of runtime values for any TypeRef or StructDef of a schema. */
import fc from "fast-check";
import type { SchemaIndex } from "../../../src/model/schema-index.ts";
import type { StructDef, TypeRef } from "../../../src/model/schema.ts";

/** Knobs of the generated values. */
export interface ArbitraryOptions {
  /** Generate -0 doubles (JSON text cannot carry them). @defaultValue true */
  readonly negativeZero?: boolean;
  /** Struct nesting past which optional fields and containers stay empty. @defaultValue 3 */
  readonly maxDepth?: number;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Sets an own data property, so that a field named `__proto__` is data. */
function setOwn(object: object, name: string, value: unknown): void {
  Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Values of `type`. */
export function arbitraryValue(
  index: SchemaIndex,
  type: TypeRef,
  options: ArbitraryOptions = {},
  depth = 0,
): fc.Arbitrary<unknown> {
  const deep = depth >= (options.maxDepth ?? 3);
  const size = { maxLength: 3 };
  // Arbitraries are built eagerly: past the depth bound, containers must not even build their elements'.
  if (deep && type.kind === "list") return fc.constant([]);
  if (deep && type.kind === "set") return fc.constant(new Set());
  if (deep && type.kind === "map") return fc.constant(new Map());
  switch (type.kind) {
    case "bool":
      return fc.boolean();
    case "i8":
      return fc.integer({ min: -128, max: 127 });
    case "i16":
      return fc.integer({ min: -32768, max: 32767 });
    case "i32":
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case "i64":
      // Both sides of the JSON number/string boundary, and the extremes.
      return fc.oneof(
        fc.bigInt({ min: -SAFE, max: SAFE }),
        fc.bigInt({ min: I64_MIN, max: I64_MAX }),
        fc.constantFrom(I64_MIN, I64_MAX, SAFE, SAFE + 1n, -SAFE - 1n),
      );
    case "double":
      return options.negativeZero === false ? fc.double().map((d) => (Object.is(d, -0) ? 0 : d)) : fc.double();
    case "string":
      return fc.string({ unit: "binary", maxLength: 8 });
    case "binary":
      return fc.uint8Array({ maxLength: 8 });
    case "enum": {
      const known = index.enum(type.name).values.map((member) => member.value);
      return fc.oneof(fc.constantFrom(...known), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    }
    case "list":
      return fc.array(arbitraryValue(index, type.element, options, depth + 1), size);
    case "set":
      return fc.array(arbitraryValue(index, type.element, options, depth + 1), size).map((items) => new Set(items));
    case "map":
      return fc
        .array(
          fc.tuple(
            arbitraryValue(index, type.key, options, depth + 1),
            arbitraryValue(index, type.value, options, depth + 1),
          ),
          size,
        )
        .map((entries) => new Map(entries));
    case "struct":
      return arbitraryStruct(index, index.struct(type.name), options, depth + 1);
  }
}

/** Values of a struct (required fields always set, others sometimes), union (one field) or exception. */
export function arbitraryStruct(
  index: SchemaIndex,
  def: StructDef,
  options: ArbitraryOptions = {},
  depth = 0,
): fc.Arbitrary<Record<string, unknown>> {
  const deep = depth >= (options.maxDepth ?? 3);
  if (def.kind === "union") {
    // Past the depth bound, prefer members that cannot recurse (arbitraries are built eagerly).
    const shallow = def.fields.filter((field) => field.type.kind !== "struct");
    const members = deep && shallow.length > 0 ? shallow : def.fields;
    return fc.oneof(
      ...members.map((field) =>
        arbitraryValue(index, field.type, options, depth).map((value) => {
          const result: Record<string, unknown> = {};
          setOwn(result, field.name, value);
          return result;
        }),
      ),
    );
  }
  const parts = def.fields.map((field) => {
    if (field.requiredness !== "required" && deep && field.type.kind === "struct") return fc.constant(undefined);
    const value = arbitraryValue(index, field.type, options, depth);
    return field.requiredness === "required" ? value : fc.option(value, { nil: undefined });
  });
  return fc.tuple(...parts).map((values) => {
    const result: Record<string, unknown> = {};
    def.fields.forEach((field, position) => {
      if (values[position] !== undefined) setOwn(result, field.name, values[position]);
    });
    return result;
  });
}
