/**
 * The generated client of two-way methods across include files: each method descriptor lists its exception
 * codecs, including an inherited method whose exception lives in a file the child does not include (the map is
 * then taken from the parent's descriptor), and the output compiles under strict options.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../../../src/codegen/index.ts";
import type { MethodDescriptor, ServiceDescriptor, StructCodec } from "../../../src/index.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const folders: string[] = [];

afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

const IDL = {
  "errors.thrift": "exception Broken { 1: string why }\n",
  "base.thrift": 'include "errors.thrift"\nservice Base { i32 size(1: string key) throws (1: errors.Broken broken) }\n',
  "top.thrift":
    'include "base.thrift"\nexception Busy { 1: i32 retryAfter }\n' +
    "service Top extends base.Base { void stop() throws (1: Busy busy)\n oneway void poke() }\n",
};

async function generateFixture(): Promise<{ idl: string; out: string; files: string[] }> {
  const idl = await mkdtemp(join(tmpdir(), "tq-two-way-idl-"));
  const out = await mkdtemp(join(tmpdir(), "tq-two-way-out-"));
  folders.push(idl, out);
  for (const [name, source] of Object.entries(IDL)) await writeFile(join(idl, name), source);
  const files = await generate([join(idl, "top.thrift")], out, {
    importExtension: ".ts",
    runtimeModule: join(root, "src/index.ts"),
  });
  await writeFile(join(out, "package.json"), JSON.stringify({ type: "module" }));
  return { idl, out, files };
}

describe("generated two-way clients", () => {
  it("compiles under strict options, with the exception codecs of every method", async () => {
    const { out, files } = await generateFixture();
    const program = ts.createProgram(files, {
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noPropertyAccessFromIndexSignature: true,
      noUnusedLocals: true,
      verbatimModuleSyntax: true,
      allowImportingTsExtensions: true,
      target: ts.ScriptTarget.ES2023,
      lib: ["lib.es2023.d.ts"],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName.startsWith(out) === true)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(diagnostics).toEqual([]);
    const source = await readFile(join(out, "top.ts"), "utf8");
    expect(source).toContain('exceptions: $base.Base.methods["size"].exceptions,');
    expect(source).toContain("exceptions: { busy: Busy },");

    const top = (await import(pathToFileURL(join(out, "top.ts")).href)) as Record<string, unknown>;
    const errors = (await import(pathToFileURL(join(out, "errors.ts")).href)) as Record<string, unknown>;
    const service = top["Top"] as ServiceDescriptor<Record<string, MethodDescriptor>>;
    const exceptionsOf = (name: string) => service.methods[name]?.exceptions;
    expect(exceptionsOf("stop")).toEqual({ busy: top["Busy"] as StructCodec<unknown> });
    expect(exceptionsOf("size")?.["broken"]).toBe(errors["Broken"]);
    expect(exceptionsOf("poke")).toEqual({});
  }, 60_000);
});
