/** Property tests: random values survive toJson/fromJson, also through JSON text, and then encode alike. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeStruct, encodeStruct } from "../../../src/codec/dynamic/index.ts";
import { structFromJson, structToJson } from "../../../src/codec/json/index.ts";
import { def, index } from "../dynamic/schema-fixtures.ts";
import { arbitraryStruct } from "../dynamic/value-arbitraries.ts";

const NAMES = ["Everything", "Tree", "Choice", "Ledger", "ProtoNames", "Oops", "Defaults"];

describe("JSON mapping properties", () => {
  it.each(NAMES)("%s: fromJson(toJson(v)) equals v", (name) => {
    const struct = def(name);
    fc.assert(
      fc.property(arbitraryStruct(index, struct), (value) => {
        expect(structFromJson(index, struct, structToJson(index, struct, value))).toEqual(value);
      }),
      { numRuns: 150 },
    );
  });

  it.each(NAMES)("%s: the JSON survives JSON.stringify/JSON.parse", (name) => {
    const struct = def(name);
    fc.assert(
      fc.property(arbitraryStruct(index, struct, { negativeZero: false }), (value) => {
        const json = structToJson(index, struct, value);
        const text = JSON.stringify(json);
        expect(structFromJson(index, struct, JSON.parse(text))).toEqual(value);
        // Canonical: reading the text back and printing it again gives the same text.
        expect(JSON.stringify(structToJson(index, struct, structFromJson(index, struct, JSON.parse(text))))).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  it("JSON in, bytes out, bytes in, JSON out: the CLI's encode/decode pipeline is lossless", () => {
    const struct = def("Everything");
    fc.assert(
      fc.property(
        arbitraryStruct(index, struct, { negativeZero: false }),
        fc.constantFrom("binary", "compact" as const),
        (value, protocol) => {
          const text = JSON.stringify(structToJson(index, struct, value));
          const bytes = encodeStruct(index, struct, structFromJson(index, struct, JSON.parse(text)), protocol);
          expect(structToJson(index, struct, decodeStruct(index, struct, bytes, protocol))).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 100 },
    );
  });
});
