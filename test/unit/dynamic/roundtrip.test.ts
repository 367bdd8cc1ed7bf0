/** Dynamic codec round trips in both protocols: every type kind, recursion, unions, defaults, odd field names. */
import { describe, expect, it } from "vitest";
import {
  decodeStruct,
  encodeStruct,
  readStruct,
  readValue,
  writeStruct,
  writeValue,
} from "../../../src/codec/dynamic/index.ts";
import { createReader, createWriter } from "../../../src/codec/factory.ts";
import { TType } from "../../../src/codec/protocol.ts";
import { fullEverything } from "./sample-values.ts";
import { T, def, index, protocols } from "./schema-fixtures.ts";

describe.each(protocols)("dynamic codec round trips (%s)", (protocol) => {
  it("a struct with every type kind", () => {
    const value = fullEverything();
    const decoded = decodeStruct(
      index,
      def("Everything"),
      encodeStruct(index, def("Everything"), value, protocol),
      protocol,
    );
    expect(decoded).toEqual(value);
    expect(Object.is(decoded.d, -0.5)).toBe(true);
  });

  it("an empty struct: unset fields stay absent", () => {
    const decoded = decodeStruct(
      index,
      def("Everything"),
      encodeStruct(index, def("Everything"), {}, protocol),
      protocol,
    );
    expect(decoded).toEqual({});
    expect(Object.keys(decoded)).toEqual([]);
  });

  it("null fields count as unset, like generated code", () => {
    const encoded = encodeStruct(index, def("Everything"), { s: null, medium: 1 }, protocol);
    expect(decodeStruct(index, def("Everything"), encoded, protocol)).toEqual({ medium: 1 });
  });

  it("-0 and NaN doubles keep their bits", () => {
    const decoded = decodeStruct(
      index,
      def("Everything"),
      encodeStruct(index, def("Everything"), { d: -0 }, protocol),
      protocol,
    );
    expect(Object.is(decoded.d, -0)).toBe(true);
  });

  it("recursive structs (a tree of trees)", () => {
    const tree = {
      name: "root",
      children: [
        { name: "a", children: [{ name: "a1" }] },
        { name: "b", children: [] },
      ],
    };
    expect(decodeStruct(index, def("Tree"), encodeStruct(index, def("Tree"), tree, protocol), protocol)).toEqual(tree);
  });

  it("unions and exceptions", () => {
    for (const value of [{ text: "" }, { number: 0 }, { point: { x: 1, y: -1 } }]) {
      expect(decodeStruct(index, def("Choice"), encodeStruct(index, def("Choice"), value, protocol), protocol)).toEqual(
        value,
      );
    }
    const oops = { message: "m", code: 7 };
    expect(decodeStruct(index, def("Oops"), encodeStruct(index, def("Oops"), oops, protocol), protocol)).toEqual(oops);
  });

  it("fields named like Object.prototype members are data", () => {
    const value: Record<string, unknown> = {};
    for (const [name, item] of Object.entries({
      constructor: "c",
      class: "k",
      delete: 3,
      toString: "t",
      hasOwnProperty: new Map([["__proto__", 1]]),
      valueOf: [{ x: 1, y: 2 }],
    })) {
      value[name] = item;
    }
    Object.defineProperty(value, "__proto__", { value: "p", enumerable: true, writable: true, configurable: true });
    const decoded = decodeStruct(
      index,
      def("ProtoNames"),
      encodeStruct(index, def("ProtoNames"), value, protocol),
      protocol,
    );
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toBe("p");
    const own = (name: string): unknown => Object.getOwnPropertyDescriptor(decoded, name)?.value;
    expect(own("constructor")).toBe("c");
    expect(own("toString")).toBe("t");
    expect(own("hasOwnProperty")).toEqual(new Map([["__proto__", 1]]));
    expect(Object.keys(decoded)).toEqual([
      "constructor",
      "__proto__",
      "class",
      "delete",
      "toString",
      "hasOwnProperty",
      "valueOf",
    ]);
  });

  it("absent fields named like Object.prototype members are not read from the prototype", () => {
    const decoded = decodeStruct(
      index,
      def("ProtoNames"),
      encodeStruct(index, def("ProtoNames"), {}, protocol),
      protocol,
    );
    expect(Object.keys(decoded)).toEqual([]);
  });

  it("writeValue/readValue handle bare values", () => {
    const type = T.map(T.string, T.list(T.set(T.i64)));
    const value = new Map([["k", [new Set([1n]), new Set<bigint>()]]]);
    const writer = createWriter(protocol);
    writeValue(index, type, value, writer);
    expect(readValue(index, type, createReader(writer.finish(), protocol))).toEqual(value);
  });

  it("writeStruct/readStruct compose inside a hand-written envelope", () => {
    const writer = createWriter(protocol);
    writer.writeStructBegin();
    writer.writeFieldBegin(TType.STRUCT, 1);
    writeStruct(index, def("Point"), { x: 1, y: 2 }, writer);
    writer.writeFieldStop();
    writer.writeStructEnd();
    const reader = createReader(writer.finish(), protocol);
    reader.readStructBegin();
    expect(reader.readFieldBegin()).toBe(TType.STRUCT);
    expect(readStruct(index, def("Point"), reader)).toEqual({ x: 1, y: 2 });
    expect(reader.readFieldBegin()).toBe(TType.STOP);
  });
});

describe.each(protocols)("defaults (%s)", (protocol) => {
  const D = def("Defaults");

  it("unset required/default fields are written as their defaults; optional ones are not", () => {
    // Reading Defaults as a struct with the same ids but no defaults shows exactly what was written.
    const bare = {
      ...D,
      qualifiedName: "t.Bare",
      fields: D.fields.map(({ default: _unused, ...rest }) => ({ ...rest, requiredness: "optional" as const })),
    };
    const written = decodeStruct(index, bare, encodeStruct(index, D, {}, protocol), protocol);
    expect(written).toEqual({
      count: 7,
      name: "n",
      origin: { x: 0, y: 1 },
      raw: new TextEncoder().encode("hi"),
      ids: new Set([1, 2]),
      m: new Map([["a", 1]]),
      ratio: 1,
      color: 2,
      flag: true,
    });
  });

  it("absent fields with defaults read as their defaults, optional ones too", () => {
    const decoded = decodeStruct(index, D, encodeStruct(index, D, {}, protocol), protocol);
    expect(decoded).toEqual({
      count: 7,
      name: "n",
      tags: ["a", "b"],
      origin: { x: 0, y: 1 },
      big: 5n,
      raw: new TextEncoder().encode("hi"),
      ids: new Set([1, 2]),
      m: new Map([["a", 1]]),
      ratio: 1,
      color: 2,
      flag: true,
    });
    expect(decoded).not.toHaveProperty("plain");
  });

  it("defaults are fresh values each time", () => {
    const first = decodeStruct(index, D, encodeStruct(index, D, {}, protocol), protocol);
    (first.tags as string[]).push("mutated");
    const second = decodeStruct(index, D, encodeStruct(index, D, {}, protocol), protocol);
    expect(second.tags).toEqual(["a", "b"]);
  });

  it("set values override defaults", () => {
    const value = { count: 1, name: "x", tags: [], origin: { x: 5, y: 5 }, big: -1n, flag: false, plain: "p" };
    expect(decodeStruct(index, D, encodeStruct(index, D, value, protocol), protocol)).toMatchObject(value);
  });
});
