/**
 * Reading and writing struct fields on plain objects. Field names may be `__proto__`, `constructor`,
 * `toString`…: they must be own data properties, never the prototype's members.
 */

/** Whether a field name exists on Object.prototype, so plain reads and writes would hit the prototype. */
export function isPrototypeName(name: string): boolean {
  return name in Object.prototype;
}

/**
 * Reads field `name`; `protoName` (precomputed {@link isPrototypeName}) restricts the read to own properties so
 * an absent `constructor` field reads as undefined rather than as `Object`.
 */
export function readField(object: object, name: string, protoName: boolean): unknown {
  if (protoName && !Object.hasOwn(object, name)) return undefined;
  return (object as Record<string, unknown>)[name];
}

/**
 * Sets an own enumerable data property of a plain object. Names on Object.prototype go through defineProperty:
 * assigning `__proto__` would change the prototype, and assigning `toString` throws where Object.prototype is
 * frozen. Other names are assigned, which is an order of magnitude faster than defineProperty.
 */
export function setOwn(object: object, name: string, value: unknown, protoName = isPrototypeName(name)): void {
  if (protoName) Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  else (object as Record<string, unknown>)[name] = value;
}

/** Reads an own property of a JSON-like object, or undefined. */
export function ownValue(object: object, name: string): unknown {
  return Object.hasOwn(object, name) ? (object as Record<string, unknown>)[name] : undefined;
}
