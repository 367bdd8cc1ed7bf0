/** The values JSON.parse produces and JSON.stringify accepts. */

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (structs, and maps keyed by strings, enums or integers). */
export type JsonObject = { [key: string]: JsonValue };

/**
 * Whether `value` can be read as a JSON object: a non-null object that is not an array nor one of the runtime's
 * container or binary classes (which would otherwise pass as objects without keys).
 */
export function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    !(value instanceof Set) &&
    !(value instanceof Uint8Array)
  );
}
