/** The quick start example runs and its bytes are what Apache Thrift writes (checked by the dynamic codec). */
import { describe, expect, it } from "vitest";
import { roundTrip, sampleJob } from "../../examples/quickstart/quickstart.ts";
import { decodeCall, SchemaIndex, type Schema } from "thrift-queue";
import { schemaDocuments } from "../../examples/quickstart/gen/jobs.ts";

const index = new SchemaIndex({
  roots: ["jobs"],
  documents: new Map(schemaDocuments.map((document) => [document.module, document])),
} satisfies Schema);

describe("quick start", () => {
  it.each(["binary", "compact"] as const)("round-trips a render call in %s and reports it", async (protocol) => {
    const lines: string[] = [];
    const result = await roundTrip(protocol, (line) => lines.push(line));
    expect(result.handled).toEqual(sampleJob());
    const decoded = decodeCall(index, result.bytes, { protocol });
    expect(decoded).toMatchObject({ service: "Thumbnails", method: "render", type: "oneway", seqid: 0 });
    expect(lines.join("\n")).toContain(`decoded "Thumbnails:render" (type 4, seqid 0)`);
  });
});
