/**
 * The generated codecs (test/golden/gen, from test/fixtures/idl/everything.thrift) must agree with the dynamic
 * codec, which is itself checked byte-for-byte against Apache Thrift: same bytes for every random value, same
 * decoded values, same JSON, and only CodecErrors from hostile bytes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError, createWriter, TType, type ProtocolName, type StructCodec, type StructDef } from "thrift-queue";
import { decodeStruct, encodeStruct } from "../../../src/codec/dynamic/index.ts";
import { structToJson } from "../../../src/codec/json/index.ts";
import { methodArgsStruct, methodResultStruct } from "../../../src/model/method-structs.ts";
import { SchemaIndex } from "../../../src/model/schema-index.ts";
import * as common from "../../golden/gen/everything/common.ts";
import * as everything from "../../golden/gen/everything/everything.ts";
import * as units from "../../golden/gen/everything/units.ts";
import { arbitraryStruct } from "../dynamic/value-arbitraries.ts";

const modules: Record<string, Record<string, unknown>> = { everything, common, units };
const index = new SchemaIndex({
  roots: ["everything"],
  documents: new Map(everything.schemaDocuments.map((document) => [document.module, document])),
});
const protocols: readonly ProtocolName[] = ["binary", "compact"];

interface Case {
  readonly name: string;
  readonly def: StructDef;
  readonly codec: StructCodec<unknown>;
}

function isCodec(value: unknown): value is StructCodec<unknown> {
  return typeof value === "object" && value !== null && "encode" in value && "qualifiedName" in value;
}

function codecOf(module: string, exportName: string): StructCodec<unknown> {
  const value = modules[module]?.[exportName];
  if (!isCodec(value)) throw new Error(`generated module ${module} exports no codec ${exportName}`);
  return value;
}

/** Every struct, union and exception of the schema, and every method's args and result struct. */
function allCases(): Case[] {
  const cases: Case[] = [];
  for (const document of everything.schemaDocuments) {
    for (const def of document.structs)
      cases.push({ name: def.qualifiedName, def, codec: codecOf(document.module, def.name) });
    for (const service of document.services) {
      for (const method of service.methods) {
        const prefix = `${service.name}_${method.name}`;
        const args = methodArgsStruct(service.qualifiedName, method);
        cases.push({ name: `${prefix}_args`, def: args, codec: codecOf(document.module, `${prefix}_args`) });
        if (method.oneway) continue;
        const result = methodResultStruct(service.qualifiedName, method);
        cases.push({ name: `${prefix}_result`, def: result, codec: codecOf(document.module, `${prefix}_result`) });
      }
    }
  }
  return cases;
}

const cases = allCases();

describe("generated codecs agree with the dynamic codec", () => {
  it("covers every struct-like definition of the fixture", () => {
    expect(cases.length).toBeGreaterThan(40);
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(["everything.Shape", "Inventory_get_result"]));
  });

  describe.each(protocols)("%s protocol", (protocol) => {
    it.each(cases.map((c) => [c.name, c] as const))("%s: same bytes, same decoded value", (_name, { def, codec }) => {
      fc.assert(
        fc.property(arbitraryStruct(index, def), (value) => {
          const ours = codec.encode(value, protocol);
          expect(ours).toEqual(encodeStruct(index, def, value, protocol));
          expect(codec.decode(ours, protocol)).toEqual(decodeStruct(index, def, ours, protocol));
        }),
        { numRuns: 40 },
      );
    });
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    "%s: same JSON, and fromJSON inverts toJSON",
    (_name, { def, codec }) => {
      fc.assert(
        fc.property(arbitraryStruct(index, def, { negativeZero: false }), (value) => {
          const json = codec.toJSON(value);
          expect(json).toEqual(structToJson(index, def, value));
          // Compared as values: a JSON object may reorder map entries (integer-like keys come first).
          expect(codec.fromJSON(JSON.parse(JSON.stringify(json)) as unknown)).toEqual(value);
        }),
        { numRuns: 25 },
      );
    },
  );
});

function expectMissingRequired(run: () => unknown, path: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CodecError);
  expect((caught as CodecError).code).toBe("CODEC_MISSING_REQUIRED");
  expect((caught as CodecError).message).toContain(path);
}

describe("generated decoders on hostile bytes", () => {
  const rich = cases.filter((c) =>
    ["everything.Containers", "everything.Record", "everything.TreeNode"].includes(c.name),
  );

  it.each(rich.flatMap((c) => protocols.map((p) => [c.name, p, c] as const)))(
    "%s (%s): random and mutated bytes give a value or a CodecError, never anything else",
    (_name, protocol, { def, codec }) => {
      const mutated = fc
        .tuple(
          arbitraryStruct(index, def),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        )
        .map(([value, edits]) => {
          const bytes = codec.encode(value, protocol);
          for (const [at, byte] of edits) if (bytes.length > 0) bytes[at % bytes.length] = byte;
          return bytes;
        });
      fc.assert(
        fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 64 })), (bytes) => {
          try {
            codec.decode(bytes, protocol, { maxContainerElements: 10_000 });
          } catch (error) {
            expect(error).toBeInstanceOf(CodecError);
          }
        }),
        { numRuns: 300 },
      );
    },
  );

  it("names the field path of a missing required field, on encode and on decode", () => {
    const tree = { name: "root", children: [{ name: "a" }, { by_name: new Map([["k", {}]]) }] } as everything.TreeNode;
    expectMissingRequired(() => everything.TreeNode.encode(tree), "children[1].name");
    // A tree whose first child lacks its required name, written call by call.
    const writer = createWriter("binary");
    writer.writeFieldBegin(TType.STRING, 1);
    writer.writeString("root");
    writer.writeFieldBegin(TType.LIST, 2);
    writer.writeListBegin(TType.STRUCT, 1);
    writer.writeFieldStop();
    writer.writeFieldStop();
    expectMissingRequired(() => everything.TreeNode.decode(writer.finish()), "children[0].name");
  });
});
