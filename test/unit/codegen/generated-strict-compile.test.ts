/**
 * Generated code must compile cleanly under the strictest settings a user project may have, for every import
 * style the generator offers; the repository's own typecheck covers the checked-in generated folders too.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../../../src/codegen/index.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const folders: string[] = [];

afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

const STRICTEST: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitReturns: true,
  noImplicitOverride: true,
  noPropertyAccessFromIndexSignature: true,
  noFallthroughCasesInSwitch: true,
  useUnknownInCatchVariables: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  erasableSyntaxOnly: true,
  target: ts.ScriptTarget.ES2023,
  lib: ["lib.es2023.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  paths: { "thrift-queue": [join(root, "src/index.ts")] },
};

async function compileGenerated(importExtension: ".js" | ".ts"): Promise<string[]> {
  const out = await mkdtemp(join(tmpdir(), "tq-gen-strict-"));
  folders.push(out);
  const files = await generate([join(root, "test/fixtures/idl/everything.thrift")], out, {
    includeDirs: [join(root, "test/fixtures/idl/shared")],
    importExtension,
  });
  await writeFile(join(out, "package.json"), JSON.stringify({ type: "module" }));
  // A user module that exercises the generated API, so unused-symbol checks see real use.
  const user = join(out, "use.ts");
  await writeFile(
    user,
    `import * as everything from "./everything${importExtension}";\n` +
      `export const names: readonly string[] = everything.schemaDocuments.map((d) => d.module);\n`,
  );
  const program = ts.createProgram([...files, user], {
    ...STRICTEST,
    allowImportingTsExtensions: importExtension === ".ts",
  });
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || d.file.fileName.startsWith(out));
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!d.file || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName.slice(out.length + 1)}:${line + 1}:${character + 1}: ${text}`;
  });
}

describe("generated TypeScript under the strictest compiler options", () => {
  it.each([".js", ".ts"] as const)(
    "compiles with no diagnostics (imports ending in %s)",
    async (extension) => {
      expect(await compileGenerated(extension)).toEqual([]);
    },
    60_000,
  );
});
