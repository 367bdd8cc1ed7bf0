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

/** IDL fixtures to compile: the module to import, and the include folders. */
const FIXTURES = {
  everything: ["test/fixtures/idl/shared"],
  names: [],
} as const satisfies Record<string, readonly string[]>;

async function compileGenerated(module: keyof typeof FIXTURES, importExtension: ".js" | ".ts"): Promise<string[]> {
  const out = await mkdtemp(join(tmpdir(), "tq-gen-strict-"));
  folders.push(out);
  const files = await generate([join(root, `test/fixtures/idl/${module}.thrift`)], out, {
    includeDirs: FIXTURES[module].map((folder) => join(root, folder)),
    importExtension,
  });
  await writeFile(join(out, "package.json"), JSON.stringify({ type: "module" }));
  // A user module that exercises the generated API, so unused-symbol checks see real use.
  const user = join(out, "use.ts");
  await writeFile(
    user,
    `import * as generated from "./${module}${importExtension}";\n` +
      `export const modules: readonly string[] = generated.schemaDocuments.map((d) => d.module);\n`,
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
  const cases = (Object.keys(FIXTURES) as (keyof typeof FIXTURES)[]).flatMap((module) =>
    ([".js", ".ts"] as const).map((extension) => [module, extension] as const),
  );
  it.each(cases)(
    "%s.thrift compiles with no diagnostics (imports ending in %s)",
    async (module, extension) => {
      expect(await compileGenerated(module, extension)).toEqual([]);
    },
    60_000,
  );
});
