/** The JSON mapping, value by value: output shapes, accepted inputs, and round trips. */
import { describe, expect, it } from "vitest";
import { encodeStruct } from "../../../src/codec/dynamic/index.ts";
import { structFromJson, structToJson, valueFromJson, valueToJson } from "../../../src/codec/json/index.ts";
import { bytes, fullEverything } from "../dynamic/sample-values.ts";
import { T, def, index } from "../dynamic/schema-fixtures.ts";

const FULL_JSON = {
  b: true,
  byte: -128,
  small: 32767,
  medium: -2147483648,
  big: "-9223372036854775808",
  d: -0.5,
  s: "héllo ✓ 𝄞",
  bin: "AP8H",
  color: "BLUE",
  ints: [1, -1, 0],
  tags: ["a", "b"],
  points: { p: { x: 1, y: 2 } },
  nested: { "1099511627776": [{ x: 3, y: 4 }] },
  byColor: { RED: 1.5, "99": "NaN" },
  byPoint: [[{ x: 0, y: 0 }, "origin"]],
  byBool: [
    [true, 1],
    [false, 0],
  ],
  byBinary: [["AQI=", "12"]],
  choice: { point: { x: 9, y: 9 } },
  deep: [{ "7": [1, -1] }, {}],
  byDouble: [["Infinity", true]],
  oops: { message: "bad", code: 3 },
  bySmall: { "-5": ["", "AQ=="] },
  bools: [true, false, true],
  colors: ["RED", "GREEN", 12345],
  byList: [[[1, 2], "one-two"]],
  negative: 42,
  far: false,
};

describe("structToJson / structFromJson", () => {
  it("maps every type kind as documented", () => {
    const json = structToJson(index, def("Everything"), fullEverything());
    expect(json).toEqual(FULL_JSON);
    // Fields come out in declaration order.
    expect(Object.keys(json)).toEqual(Object.keys(FULL_JSON));
  });

  it("reads the documented form back, also through JSON text", () => {
    expect(structFromJson(index, def("Everything"), FULL_JSON)).toEqual(fullEverything());
    const text = JSON.stringify(structToJson(index, def("Everything"), fullEverything()));
    expect(structFromJson(index, def("Everything"), JSON.parse(text))).toEqual(fullEverything());
  });

  it("omits unset and null fields, and reads null as unset", () => {
    expect(structToJson(index, def("Everything"), { s: undefined, medium: null, b: false })).toEqual({ b: false });
    expect(structFromJson(index, def("Everything"), { s: null, b: false })).toEqual({ b: false });
  });

  it("does not fill in defaults (the encoder writes them), and accepts a missing required field that has one", () => {
    expect(structFromJson(index, def("Defaults"), {})).toEqual({});
    expect(structToJson(index, def("Defaults"), {})).toEqual({});
    expect(() => encodeStruct(index, def("Defaults"), structFromJson(index, def("Defaults"), {}))).not.toThrow();
  });

  it("treats __proto__, constructor and friends as field names", () => {
    const json = JSON.parse(
      '{"__proto__": "p", "constructor": "c", "toString": "t", "delete": 1, "hasOwnProperty": {"__proto__": 2}}',
    ) as unknown;
    const value = structFromJson(index, def("ProtoNames"), json);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toBe("p");
    expect(value.constructor).toBe("c");
    expect(Object.getOwnPropertyDescriptor(value, "hasOwnProperty")?.value).toEqual(new Map([["__proto__", 2]]));
    const back = structToJson(index, def("ProtoNames"), value);
    expect(JSON.stringify(back)).toBe(
      '{"constructor":"c","__proto__":"p","delete":1,"toString":"t","hasOwnProperty":{"__proto__":2}}',
    );
    expect(structToJson(index, def("ProtoNames"), {})).toEqual({});
  });

  it("unions and exceptions", () => {
    expect(structFromJson(index, def("Choice"), { text: null, number: 3 })).toEqual({ number: 3 });
    expect(structToJson(index, def("Choice"), { point: { x: 1, y: 2 } })).toEqual({ point: { x: 1, y: 2 } });
    expect(structFromJson(index, def("Oops"), { message: "m" })).toEqual({ message: "m" });
  });

  it("recursive structs", () => {
    const json = { name: "r", children: [{ name: "a", children: [{ name: "b" }] }] };
    expect(structToJson(index, def("Tree"), structFromJson(index, def("Tree"), json))).toEqual(json);
  });
});

describe("valueToJson / valueFromJson of scalars", () => {
  it("i64: numbers while safe, decimal strings beyond", () => {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    expect(valueToJson(index, T.i64, max)).toBe(Number.MAX_SAFE_INTEGER);
    expect(valueToJson(index, T.i64, -max)).toBe(-Number.MAX_SAFE_INTEGER);
    expect(valueToJson(index, T.i64, max + 1n)).toBe("9007199254740992");
    expect(valueToJson(index, T.i64, -max - 1n)).toBe("-9007199254740992");
    expect(valueToJson(index, T.i64, 2n ** 63n - 1n)).toBe("9223372036854775807");
    expect(valueFromJson(index, T.i64, 12)).toBe(12n);
    expect(valueFromJson(index, T.i64, "12")).toBe(12n);
    expect(valueFromJson(index, T.i64, "-9223372036854775808")).toBe(-(2n ** 63n));
    expect(valueFromJson(index, T.i64, Number.MAX_SAFE_INTEGER)).toBe(max);
  });

  it("doubles: numbers, and strings for NaN and the infinities", () => {
    expect(valueToJson(index, T.double, Number.NaN)).toBe("NaN");
    expect(valueToJson(index, T.double, Number.POSITIVE_INFINITY)).toBe("Infinity");
    expect(valueToJson(index, T.double, Number.NEGATIVE_INFINITY)).toBe("-Infinity");
    expect(valueToJson(index, T.double, 1e-300)).toBe(1e-300);
    expect(valueFromJson(index, T.double, "NaN")).toBeNaN();
    expect(valueFromJson(index, T.double, "-Infinity")).toBe(Number.NEGATIVE_INFINITY);
    expect(valueFromJson(index, T.double, 3)).toBe(3);
  });

  it("binary as standard padded base64", () => {
    expect(valueToJson(index, T.binary, bytes())).toBe("");
    expect(valueToJson(index, T.binary, bytes(251, 255))).toBe("+/8=");
    expect(valueFromJson(index, T.binary, "+/8=")).toEqual(bytes(251, 255));
    expect(valueFromJson(index, T.binary, "")).toEqual(bytes());
  });

  it("enums: names out, names or numbers in; unknown numbers stay numbers", () => {
    expect(valueToJson(index, T.enum("Color"), 2)).toBe("GREEN");
    expect(valueToJson(index, T.enum("Color"), 3)).toBe(3);
    expect(valueFromJson(index, T.enum("Color"), "BLUE")).toBe(5);
    expect(valueFromJson(index, T.enum("Color"), 5)).toBe(5);
    expect(valueFromJson(index, T.enum("Color"), -7)).toBe(-7);
  });

  it("integers and the rest pass through", () => {
    expect(valueFromJson(index, T.i8, -128)).toBe(-128);
    expect(valueFromJson(index, T.i16, 32767)).toBe(32767);
    expect(valueFromJson(index, T.bool, false)).toBe(false);
    expect(valueFromJson(index, T.string, "")).toBe("");
  });
});

describe("containers", () => {
  it("sets are arrays; duplicate input elements collapse", () => {
    expect(valueFromJson(index, T.set(T.string), ["a", "b", "a"])).toEqual(new Set(["a", "b"]));
    expect(valueToJson(index, T.set(T.i64), new Set([1n, 2n ** 60n]))).toEqual([1, "1152921504606846976"]);
  });

  it("object-keyed maps: strings, enum names, decimal integers (i64 too)", () => {
    expect(valueToJson(index, T.map(T.i64, T.bool), new Map([[-(2n ** 63n), true]]))).toEqual({
      "-9223372036854775808": true,
    });
    expect(valueFromJson(index, T.map(T.i64, T.bool), { "-9223372036854775808": true, "7": false })).toEqual(
      new Map([
        [-(2n ** 63n), true],
        [7n, false],
      ]),
    );
    expect(valueFromJson(index, T.map(T.i8, T.i8), { "-128": 127 })).toEqual(new Map([[-128, 127]]));
    expect(valueFromJson(index, T.map(T.enum("Color"), T.i8), { GREEN: 1, "77": 2 })).toEqual(
      new Map([
        [2, 1],
        [77, 2],
      ]),
    );
    const proto = JSON.parse('{"__proto__": 1}') as unknown;
    const map = valueFromJson(index, T.map(T.string, T.i32), proto);
    expect(map).toEqual(new Map([["__proto__", 1]]));
    expect(JSON.stringify(valueToJson(index, T.map(T.string, T.i32), map))).toBe('{"__proto__":1}');
  });

  it("pair-keyed maps for bool, double, binary, struct and container keys", () => {
    expect(valueToJson(index, T.map(T.double, T.i8), new Map([[Number.NaN, 1]]))).toEqual([["NaN", 1]]);
    expect(valueToJson(index, T.map(T.set(T.i8), T.i8), new Map([[new Set([1]), 1]]))).toEqual([[[1], 1]]);
    expect(valueFromJson(index, T.map(T.binary, T.i8), [["AQ==", 1]])).toEqual(new Map([[bytes(1), 1]]));
  });

  it("either form is accepted on input for any key with a string spelling", () => {
    expect(valueFromJson(index, T.map(T.string, T.i8), [["a", 1]])).toEqual(new Map([["a", 1]]));
    expect(valueFromJson(index, T.map(T.i32, T.i8), [[5, 1]])).toEqual(new Map([[5, 1]]));
    expect(valueFromJson(index, T.map(T.bool, T.i8), { true: 1, false: 0 })).toEqual(
      new Map([
        [true, 1],
        [false, 0],
      ]),
    );
    expect(valueFromJson(index, T.map(T.double, T.i8), { "1.5": 1, "-Infinity": 2, "2e3": 3 })).toEqual(
      new Map([
        [1.5, 1],
        [Number.NEGATIVE_INFINITY, 2],
        [2000, 3],
      ]),
    );
    expect(valueFromJson(index, T.map(T.binary, T.i8), { "AQ==": 1 })).toEqual(new Map([[bytes(1), 1]]));
  });

  it("either form is accepted for struct and container keys too: object keys are the key's JSON text", () => {
    const point = T.struct("Point");
    expect(valueFromJson(index, T.map(point, T.string), { '{"x":1,"y":2}': "p" })).toEqual(
      valueFromJson(index, T.map(point, T.string), [[{ x: 1, y: 2 }, "p"]]),
    );
    expect(valueFromJson(index, T.map(T.list(T.i64), T.i8), { '[1,"9007199254740993"]': 1 })).toEqual(
      new Map([[[1n, 9007199254740993n], 1]]),
    );
  });

  it("empty containers", () => {
    expect(valueToJson(index, T.map(T.struct("Point"), T.i8), new Map())).toEqual([]);
    expect(valueToJson(index, T.map(T.string, T.i8), new Map())).toEqual({});
    expect(valueFromJson(index, T.map(T.struct("Point"), T.i8), [])).toEqual(new Map());
    expect(valueFromJson(index, T.map(T.string, T.i8), [])).toEqual(new Map());
    expect(valueFromJson(index, T.list(T.i8), [])).toEqual([]);
  });
});
