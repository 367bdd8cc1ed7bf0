/**
 * Random well-formed scenarios: our writer's bytes must read back as written, and must equal what the npm
 * `thrift` library (Apache's Node.js implementation) writes for the same calls.
 */
import { describe, expect, it } from "vitest";
import { createReader, createWriter } from "../../../src/codec/factory.ts";
import { TType } from "../../../src/codec/protocol.ts";
import { randomScenarios } from "./helpers/random-scenarios.ts";
import { readOps, toHex, walkValue, writeOps } from "./helpers/scenarios.ts";
import type { Op } from "./helpers/scenarios.ts";
import { npmOps, npmWrite } from "./helpers/npm-thrift.ts";

const scenarios = randomScenarios(20240601, 400);
const noNegativeZero = (ops: readonly Op[]): Op[] =>
  ops.map((op) => (op[0] === "double" && op[1] === "-0" ? (["double", 0] as const) : op));

describe.each(["binary", "compact"] as const)("%s random scenarios", (protocol) => {
  const writer = createWriter(protocol);

  it("round-trip through our writer and reader, and walk generically", () => {
    for (const { name, ops } of scenarios) {
      writeOps(writer, ops);
      const bytes = writer.finish();
      expect(() => readOps(createReader(bytes, protocol), ops), name).not.toThrow();
      const r = createReader(bytes, protocol);
      if (ops[0]![0] === "messageBegin") r.readMessageBegin();
      walkValue(r, TType.STRUCT, false); // "binary" ops hold arbitrary bytes, so do not decode strings
      expect(r.remaining, name).toBe(0);
    }
  });

  it("match the npm thrift library byte for byte (npm loses the sign of -0, so -0 is excluded)", () => {
    for (const { name, ops: original } of scenarios) {
      const ops = noNegativeZero(original);
      writeOps(writer, ops);
      const ours = toHex(writer.finish());
      const theirs = npmWrite(protocol, (p) => npmOps(p, ops));
      expect(toHex(theirs), name).toBe(ours);
    }
  });
});
