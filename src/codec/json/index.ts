/**
 * The JSON mapping of Thrift values, used by the CLI and by generated `fromJSON`/`toJSON`:
 *
 * - struct, union, exception: object keyed by field name; unset fields omitted (`null` input counts as unset);
 *   unknown names are errors; a union needs exactly one field; absent required fields without default are
 *   errors on input (defaults are not filled in; the encoder writes them)
 * - bool: boolean; i8/i16/i32: integer number, range-checked
 * - i64: number while |v| <= 2^53-1, else a decimal string; input takes a safe integer or a decimal string
 * - double: number, or "NaN", "Infinity", "-Infinity"
 * - string: string; binary: standard padded base64 (strict on input)
 * - enum: member name; an unknown number stays a number; input takes a name or any i32
 * - list, set: array (duplicate set elements collapse on input)
 * - map: object when keyed by string, enum (names) or an integer type (decimal keys); otherwise an array of
 *   `[key, value]` pairs. Input takes either form for any map; in object form a struct or container key is
 *   its own JSON text.
 *
 * Errors are CodecErrors `path: expected <type>, got <json>` (CODEC_INVALID_VALUE), `unknown field "x"`,
 * `missing required field` (CODEC_MISSING_REQUIRED) or a union count error (CODEC_UNION).
 */
export type { JsonObject, JsonValue } from "./json-value.ts";
export { structFromJson, valueFromJson } from "./from-json.ts";
export { structToJson, valueToJson } from "./to-json.ts";
