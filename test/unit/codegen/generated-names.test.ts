/**
 * Generated code for test/fixtures/idl/names.thrift, whose names collide with JavaScript: reserved words,
 * Object.prototype members and globals. Fields stay plain data; nothing touches a prototype.
 */
import { describe, expect, it } from "vitest";
import { createEncodingChannel, decodeCallMessage } from "thrift-queue";
import * as names from "../../golden/gen/names/names.ts";

function withOwn(entries: Record<string, unknown>): names.Weird {
  const value = {} as names.Weird;
  for (const [key, item] of Object.entries(entries)) {
    Object.defineProperty(value, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return value;
}

describe("generated code for colliding names", () => {
  it("renames types and services that cannot be identifiers, keeping derived names readable", () => {
    expect(names.Object_.__proto__).toBe(2);
    expect(Object.getPrototypeOf(names.Object_)).toBe(Object.prototype);
    expect(Object.keys(names.Object_)).toEqual(["constructor", "__proto__", "delete"]);
    expect(names.class_.name).toBe("class");
    expect(typeof names.createclassClient).toBe("function");
    expect(names.Map_.qualifiedName).toBe("names.Map");
  });

  it("keeps a constant's __proto__ field as an own data property", () => {
    expect(Object.hasOwn(names.WEIRD, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(names.WEIRD)).toBe(Object.prototype);
    expect(names.WEIRD.constructor).toBe("c");
  });

  it.each(["binary", "compact"] as const)("round-trips fields named like prototype members (%s)", (protocol) => {
    const value = withOwn({
      constructor: "ctor",
      delete: 3,
      class: true,
      __proto__: "proto",
      toString: "s",
      hasOwnProperty: 1,
      valueOf: "v",
      prototype: new Map([
        ["__proto__", "x"],
        ["constructor", "y"],
      ]),
      mapped: { has: "h", get: 2 },
      kind: names.Object_.delete,
      Array: [{ has: "a", get: 1 }],
      w: "w",
      r: "r",
      v: "v",
      field: "f",
      error: "e",
      schema: "s",
    });
    const decoded = names.Weird.decode(names.Weird.encode(value, protocol), protocol);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, "__proto__")).toBe(true);
    expect(decoded).toEqual(value);
    expect(decoded.prototype?.get("__proto__")).toBe("x");
    expect(names.Weird.fromJSON(JSON.parse(JSON.stringify(names.Weird.toJSON(decoded))) as unknown)).toEqual(value);
  });

  it("reads inherited Object.prototype members as unset fields", () => {
    // `constructor` and `toString` are inherited by every object; an empty Weird must not write them.
    const decoded = names.Weird.decode(names.Weird.encode({} as names.Weird));
    expect(decoded.constructor).toBeUndefined();
    expect(decoded.toString).toBeUndefined();
    expect(decoded.kind).toBe(names.Object_.__proto__);
  });

  it("sends calls of a service named `class` with methods named `delete` and `toString`", async () => {
    const client = names.createclassClient(createEncodingChannel({ multiplexed: true }));
    const call = await client.delete({ constructor: withOwn({ constructor: "c" }), ["__proto__"]: { then: "t" } });
    const decoded = decodeCallMessage([names.class_], call.bytes);
    expect(decoded.header.name).toBe("class:delete");
    expect(decoded.args).toEqual({ constructor: withOwn({ constructor: "c", kind: 2 }), ["__proto__"]: { then: "t" } });
  });
});
