/**
 * `encode --type` then `decode --type`, in-process, for both protocols: every rule of the JSON mapping survives
 * the round trip, non-canonical input comes back in the canonical form, and included types are named
 * `<include>.<Type>`.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { findNamedStruct, loadCliSchema } from "../../src/cli/load-cli-schema.ts";
import { decodeStruct, encodeStruct } from "../../src/codec/dynamic/index.ts";
import { structToJson } from "../../src/codec/json/index.ts";
import type { SchemaIndex } from "../../src/model/schema-index.ts";
import { arbitraryStruct } from "../unit/dynamic/value-arbitraries.ts";
import { MAPPING_IDL, expectBytes, expectJson, repoPath, runCli } from "./run-cli.ts";

const PROTOCOLS = ["binary", "compact"] as const;

/** Encodes `json` as `type` and decodes the bytes again; returns the decoded JSON. */
async function roundTrip(
  type: string,
  json: unknown,
  protocol: string,
  idl: readonly string[] = ["--idl", MAPPING_IDL],
): Promise<unknown> {
  const input = typeof json === "string" ? json : JSON.stringify(json);
  const bytes = expectBytes(await runCli(["encode", ...idl, "--type", type, "--protocol", protocol], input));
  return expectJson(await runCli(["decode", ...idl, "--type", type, "--protocol", protocol], bytes));
}

describe.each(PROTOCOLS)("round trips through --protocol %s", (protocol) => {
  it.each([
    [
      "bool, integers at their limits, text, binary, enum",
      {
        flag: true,
        tiny: -128,
        small: 127,
        short_value: -32768,
        normal: 2147483647,
        text: "héllo ✓ 𝄞",
        data: "AP8H",
        color: "BLUE",
      },
    ],
    [
      "the other limits",
      {
        flag: false,
        tiny: 127,
        small: -128,
        short_value: 32767,
        normal: -2147483648,
        text: "",
        data: "",
        color: "RED",
      },
    ],
    ["i64 within ±(2^53−1) is a number", { big: 9007199254740991 }],
    ["i64 −(2^53−1)", { big: -9007199254740991 }],
    ["i64 beyond 2^53−1 is a decimal string", { big: "9007199254740992" }],
    ["i64 below −(2^53−1)", { big: "-9007199254740992" }],
    ["i64 maximum", { big: "9223372036854775807" }],
    ["i64 minimum", { big: "-9223372036854775808" }],
    ["double", { ratio: 1.5 }],
    ["double NaN", { ratio: "NaN" }],
    ["double Infinity", { ratio: "Infinity" }],
    ["double -Infinity", { ratio: "-Infinity" }],
    ["double extremes", { ratio: 1.7976931348623157e308 }],
    ["double subnormal", { ratio: 5e-324 }],
    ["binary of every padding length", { data: "AAEC/w==" }],
    ["binary, one byte of padding", { data: "+/8=" }],
    ["an unknown enum number stays a number", { color: 99 }],
    ["a negative unknown enum number", { color: -7 }],
    ["every field unset", {}],
  ])("Scalars: %s", async (_name, json) => {
    expect(await roundTrip("Scalars", json, protocol)).toEqual(json);
  });

  it("Containers: lists and sets are arrays, maps objects or [key, value] pairs by key type", async () => {
    const json = {
      ints: [1, -1, 0, 2147483647],
      tags: ["a", "b"],
      colors: ["RED", "GREEN", 12345],
      by_string: { a: 1, "": "9007199254740992", __proto__x: -1 },
      by_color: { RED: "r", BLUE: "b", "77": "unknown member" },
      by_i8: { "-128": true, "127": false },
      by_i16: { "-32768": 1, "32767": 2 },
      by_i32: { "-2147483648": "min", "2147483647": "max" },
      by_i64: { "-9223372036854775808": "min", "9223372036854775807": "max", "5": "five" },
      by_bool: [
        [true, "yes"],
        [false, "no"],
      ],
      by_double: [
        [1.5, "x"],
        ["NaN", "nan"],
        ["-Infinity", "minus"],
      ],
      by_binary: [
        ["AQI=", "b"],
        ["", "empty"],
      ],
      by_point: [[{ x: 1, y: -2 }, "p"]],
      by_list: [[[1, 2, 3], "l"]],
      nested: [
        {
          k: [
            { micros: 1, currency: "USD" },
            { micros: "-9223372036854775808", currency: 7 },
          ],
        },
        {},
      ],
    };
    expect(await roundTrip("Containers", json, protocol)).toEqual(json);
  });

  it("a map keyed by a string takes a JSON __proto__ key as data", async () => {
    const text = '{"by_string": {"__proto__": 1, "constructor": 2}}';
    const decoded = await roundTrip("Containers", text, protocol);
    expect(JSON.stringify(decoded)).toBe(text.replace(/ /g, ""));
  });

  it("empty containers keep their form", async () => {
    const json = { ints: [], tags: [], by_string: {}, by_i64: {}, by_bool: [], by_point: [] };
    expect(await roundTrip("Containers", json, protocol)).toEqual(json);
  });

  it("unions: each branch", async () => {
    for (const json of [{ text: "t" }, { number: "-9223372036854775808" }, { number: 3 }, { point: { x: 1 } }]) {
      expect(await roundTrip("Choice", json, protocol)).toEqual(json);
    }
  });

  it("exceptions, and unset optional fields are omitted", async () => {
    expect(await roundTrip("Rejected", { reason: "r" }, protocol)).toEqual({ reason: "r" });
    expect(await roundTrip("Rejected", { reason: "r", code: -1 }, protocol)).toEqual({ reason: "r", code: -1 });
    expect(await roundTrip("Job", { name: "n" }, protocol)).toEqual({ name: "n" });
  });

  it("nested structs, with an IDL default written by the encoder", async () => {
    const json = { ledger: { a: [{ micros: 1 }, { micros: 2, currency: "USD" }] }, job: { name: "n", sizes: [] } };
    expect(await roundTrip("Ledger", json, protocol)).toEqual({
      ledger: {
        a: [
          { micros: 1, currency: "EUR" },
          { micros: 2, currency: "USD" },
        ],
      },
      job: { name: "n", sizes: [] },
    });
  });

  it("recursive structs", async () => {
    const json = { children: [{ children: [{}, { children: [] }] }, {}] };
    expect(await roundTrip("Tree", json, protocol)).toEqual(json);
  });

  it("included types are named <include>.<Type>", async () => {
    expect(await roundTrip("billing.Money", { micros: "12345678901234567", currency: "USD" }, protocol)).toEqual({
      micros: "12345678901234567",
      currency: "USD",
    });
    expect(await roundTrip("billing.Declined", { reason: "r", attempted: { micros: 5 } }, protocol)).toEqual({
      reason: "r",
      attempted: { micros: 5, currency: "EUR" },
    });
  });

  it("included types found through -I, and the bundled job IDL", async () => {
    const everything = [
      "--idl",
      repoPath("test/fixtures/idl/everything.thrift"),
      "-I",
      repoPath("test/fixtures/idl/shared"),
    ];
    const measurement = { value: 2.5, unit: "SECOND", at: { x: 0, y: -0.5 } };
    expect(await roundTrip("units.Measurement", measurement, protocol, everything)).toEqual(measurement);
    expect(await roundTrip("common.Point", { x: 1, y: 2 }, protocol, everything)).toEqual({ x: 1, y: 2 });
    // A typedef of a struct names the struct.
    expect(await roundTrip("Location", { x: 1, y: 2 }, protocol, everything)).toEqual({ x: 1, y: 2 });
    const jobs = ["--idl", repoPath("idl/jobs.thrift")];
    const owner = { name: "ada", accountId: "9223372036854775807" };
    expect(await roundTrip("common.Owner", owner, protocol, jobs)).toEqual(owner);
    const job = {
      imageId: "i",
      requestedAt: 1700000000000000,
      priority: "HIGH",
      sizes: ["64x64"],
      labels: { k: "v" },
      owner,
    };
    expect(await roundTrip("ThumbnailJob", job, protocol, jobs)).toEqual(job);
  });
});

describe("input accepts more than the canonical form; output is canonical", () => {
  it.each(PROTOCOLS)("%s", async (protocol) => {
    const input = {
      big: "42", // a decimal string within the safe range
      color: 2, // a known enum number
      ratio: 3, // an integral double
      text: null, // null counts as unset
    };
    expect(await roundTrip("Scalars", input, protocol)).toEqual({ big: 42, color: "GREEN", ratio: 3 });
    const containers = {
      tags: ["a", "a", "b"], // duplicates collapse in a set
      by_string: [["k", 1]], // pairs for an object-keyed map
      by_color: [
        ["RED", "r"],
        [3, "b"],
        [9, "n"],
      ], // names or numbers as enum keys
      by_i64: [
        ["-9223372036854775808", "min"],
        [7, "seven"],
      ], // i64 keys as strings or numbers
      by_bool: { true: "yes", false: "no" }, // object form for a pair-keyed map
      by_double: { "1.5": "x", "-Infinity": "minus", "2e3": "k" },
      by_binary: { "AQI=": "b" },
    };
    expect(await roundTrip("Containers", containers, protocol)).toEqual({
      tags: ["a", "b"],
      by_string: { k: 1 },
      by_color: { RED: "r", BLUE: "b", "9": "n" },
      by_i64: { "-9223372036854775808": "min", "7": "seven" },
      by_bool: [
        [true, "yes"],
        [false, "no"],
      ],
      by_double: [
        [1.5, "x"],
        ["-Infinity", "minus"],
        [2000, "k"],
      ],
      by_binary: [["AQI=", "b"]],
    });
  });

  it("stdin may hold surrounding whitespace and a UTF-8 byte order mark", async () => {
    const bytes = expectBytes(
      await runCli(["encode", "--idl", MAPPING_IDL, "--type", "Point"], '\ufeff\n {"x": 1}\n\n'),
    );
    expect(expectJson(await runCli(["decode", "--idl", MAPPING_IDL, "--type", "Point"], bytes))).toEqual({ x: 1 });
  });
});

describe("output format", () => {
  it("decode prints one line of JSON with fields in declaration order", async () => {
    const bytes = expectBytes(
      await runCli(["encode", "--idl", MAPPING_IDL, "--type", "Scalars"], '{"color": "RED", "flag": true, "big": 1}'),
    );
    const run = await runCli(["decode", "--idl", MAPPING_IDL, "--type", "Scalars"], bytes);
    expect(new TextDecoder().decode(run.stdout)).toBe('{"flag":true,"big":1,"color":"RED"}\n');
  });

  it("encode writes the protocol's bytes and nothing else", async () => {
    const binary = expectBytes(await runCli(["encode", "--idl", MAPPING_IDL, "--type", "Point"], '{"x": 1}'));
    expect([...binary]).toEqual([8, 0, 1, 0, 0, 0, 1, 0]);
    const compact = expectBytes(
      await runCli(["encode", "--idl", MAPPING_IDL, "--type", "Point", "--protocol", "compact"], '{"x": 1}'),
    );
    expect([...compact]).toEqual([0x15, 2, 0]);
  });
});

describe("random values (property): the CLI agrees with the library", () => {
  let index: SchemaIndex;
  beforeAll(async () => {
    index = await loadCliSchema(MAPPING_IDL, []);
  });

  it.each(["Scalars", "Containers", "Ledger", "Choice", "Tree"])("%s", async (type) => {
    const def = findNamedStruct(index, type);
    await fc.assert(
      fc.asyncProperty(
        arbitraryStruct(index, def, { negativeZero: false }),
        fc.constantFrom(...PROTOCOLS),
        async (value, protocol) => {
          const text = JSON.stringify(structToJson(index, def, value));
          const bytes = expectBytes(
            await runCli(["encode", "--idl", MAPPING_IDL, "--type", type, "--protocol", protocol], text),
          );
          // Same value, not necessarily the same bytes: a JSON object's integer-like keys come out in
          // ascending order, so map entries may be written in another order than the library's Map holds them.
          const library = encodeStruct(index, def, value, protocol);
          expect(decodeStruct(index, def, bytes, protocol)).toEqual(decodeStruct(index, def, library, protocol));
          const decoded = expectJson(
            await runCli(["decode", "--idl", MAPPING_IDL, "--type", type, "--protocol", protocol], bytes),
          );
          expect(decoded).toEqual(structToJson(index, def, decodeStruct(index, def, bytes, protocol)));
        },
      ),
      { numRuns: 60 },
    );
  });
});
