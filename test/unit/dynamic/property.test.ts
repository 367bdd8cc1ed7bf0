/** Property tests: random values of rich structs round-trip through both protocols. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeStruct, encodeStruct } from "../../../src/codec/dynamic/index.ts";
import { def, index, protocols } from "./schema-fixtures.ts";
import { arbitraryStruct } from "./value-arbitraries.ts";

describe.each(protocols)("dynamic codec properties (%s)", (protocol) => {
  it.each(["Everything", "Tree", "Choice", "Ledger", "ProtoNames", "Oops"])("%s values round-trip", (name) => {
    const struct = def(name);
    fc.assert(
      fc.property(arbitraryStruct(index, struct), (value) => {
        expect(decodeStruct(index, struct, encodeStruct(index, struct, value, protocol), protocol)).toEqual(value);
      }),
      { numRuns: 150 },
    );
  });

  it("Defaults values round-trip with every absent defaulted field filled in", () => {
    const struct = def("Defaults");
    const allDefaults = decodeStruct(index, struct, encodeStruct(index, struct, {}, protocol), protocol);
    fc.assert(
      fc.property(arbitraryStruct(index, struct), (value) => {
        const decoded = decodeStruct(index, struct, encodeStruct(index, struct, value, protocol), protocol);
        expect(decoded).toEqual({ ...allDefaults, ...value });
      }),
      { numRuns: 100 },
    );
  });

  it("encoding is deterministic and the two protocols agree on the decoded value", () => {
    const struct = def("Everything");
    const other = protocol === "binary" ? "compact" : "binary";
    fc.assert(
      fc.property(arbitraryStruct(index, struct), (value) => {
        const bytes = encodeStruct(index, struct, value, protocol);
        expect(encodeStruct(index, struct, value, protocol)).toEqual(bytes);
        const viaOther = decodeStruct(index, struct, encodeStruct(index, struct, value, other), other);
        expect(decodeStruct(index, struct, bytes, protocol)).toEqual(viaOther);
      }),
      { numRuns: 50 },
    );
  });
});
