/**
 * Apache Thrift's generators write a struct's fields in ascending id order, whatever order the IDL declares them
 * in (implicit ids are negative, so those fields come first); test/integration/cross-python-generated.test.ts
 * found our writers following declaration order instead. Generated codecs and the dynamic codec must both
 * write Apache's order, while decoded values and the JSON mapping keep declaration order.
 */
import { describe, expect, it } from "vitest";
import { decodeStruct, encodeStruct } from "../../../src/codec/dynamic/index.ts";
import { createReader } from "../../../src/codec/factory.ts";
import { structToJson } from "../../../src/codec/json/index.ts";
import type { ProtocolName } from "../../../src/codec/protocol.ts";
import { typescriptRenderer } from "../../../src/codegen/index.ts";
import { SchemaIndex } from "../../../src/model/schema-index.ts";
import * as everything from "../../golden/gen/everything/everything.ts";
import { loadSource } from "../codegen/idl-test-helpers.ts";

const PROTOCOLS = ["binary", "compact"] as const;

const IDL = `
struct OutOfOrder {
  3: i32 third
  1: string first
  string implicit
  2: bool second
}
`;
const VALUE = { third: 3, first: "1", implicit: "-1", second: true };

/** The field ids of a struct's top level, in the order they are on the wire. */
function wireFieldIds(bytes: Uint8Array, protocol: ProtocolName): number[] {
  const reader = createReader(bytes, protocol);
  const ids: number[] = [];
  reader.readStructBegin();
  for (let type = reader.readFieldBegin(); type !== 0; type = reader.readFieldBegin()) {
    ids.push(reader.fieldId);
    reader.skip(type);
  }
  return ids;
}

async function outOfOrder() {
  const { schema, main } = await loadSource(IDL);
  const def = main.structs.find((struct) => struct.name === "OutOfOrder");
  if (def === undefined) throw new Error("no OutOfOrder");
  return { schema, index: new SchemaIndex(schema), def };
}

describe("fields are written in ascending id order", () => {
  it.each(PROTOCOLS)("by the dynamic codec (%s)", async (protocol) => {
    const { index, def } = await outOfOrder();
    expect(def.fields.map((field) => field.id)).toEqual([3, 1, -1, 2]);
    expect(wireFieldIds(encodeStruct(index, def, VALUE, protocol), protocol)).toEqual([-1, 1, 2, 3]);
  });

  it("by generated write functions", async () => {
    const { schema } = await outOfOrder();
    const [file] = typescriptRenderer.render(schema);
    const source = file?.contents ?? "";
    const write = source.slice(source.indexOf("write(v: OutOfOrder"), source.indexOf("read(r: $tq.ProtocolReader)"));
    const ids = [...write.matchAll(/w\.writeFieldBegin\(\d+, (-?\d+)\)/g)].map((match) => Number(match[1]));
    expect(ids).toEqual([-1, 1, 2, 3]);
  });

  it.each(PROTOCOLS)("by the golden generated codec of implicit ids (%s), as Apache's Python writes", (protocol) => {
    const bytes = everything.WithImplicitIds.encode({ first: "a", second: "b", third: "c" }, protocol);
    expect(wireFieldIds(bytes, protocol)).toEqual([-2, -1, 2]);
    expect(everything.WithImplicitIds.decode(bytes, protocol)).toEqual({ first: "a", second: "b", third: "c" });
  });

  it("while decoded values and JSON keep declaration order", async () => {
    const { index, def } = await outOfOrder();
    const decoded = decodeStruct(index, def, encodeStruct(index, def, VALUE));
    expect(Object.keys(decoded)).toEqual(["third", "first", "implicit", "second"]);
    expect(Object.keys(structToJson(index, def, decoded))).toEqual(["third", "first", "implicit", "second"]);
  });
});
