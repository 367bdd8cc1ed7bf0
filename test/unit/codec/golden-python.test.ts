/**
 * Byte-for-byte agreement with Apache Thrift's Python TBinaryProtocol/TCompactProtocol, via the checked-in golden
 * vectors (so this runs without Python; test/integration/cross-python-protocol.test.ts regenerates them live).
 */
import { describe, expect, it } from "vitest";
import { BinaryReader } from "../../../src/codec/binary-reader.ts";
import { createReader, createWriter } from "../../../src/codec/factory.ts";
import { fromHex, loadGolden, readOps, toHex, writeOps } from "./helpers/scenarios.ts";

const golden = loadGolden();
const protocols = ["binary", "compact"] as const;

describe("golden vectors from Apache Thrift (Python)", () => {
  it("has the expected scenarios", () => {
    expect(golden.scenarios.length).toBeGreaterThan(40);
  });

  for (const protocol of protocols) {
    describe(protocol, () => {
      // One writer for all scenarios also proves finish() resets every bit of state.
      const writer = createWriter(protocol);
      it.each(golden.scenarios.map((s) => [s.name, s] as const))("writes %s identically", (_name, scenario) => {
        writeOps(writer, scenario.ops);
        expect(toHex(writer.finish())).toBe(scenario[protocol]);
      });
      it.each(golden.scenarios.map((s) => [s.name, s] as const))("reads Apache's %s", (_name, scenario) => {
        readOps(createReader(fromHex(scenario[protocol]), protocol), scenario.ops);
      });
    });
  }

  it.each(golden.scenarios.filter((s) => s.binaryNonStrict !== undefined).map((s) => [s.name, s] as const))(
    "reads the old unversioned binary header of %s",
    (_name, scenario) => {
      readOps(new BinaryReader(fromHex(scenario.binaryNonStrict!)), scenario.ops);
    },
  );
});
