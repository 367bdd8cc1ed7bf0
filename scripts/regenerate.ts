/**
 * Regenerates every checked-in generated file from its IDL. With `--check` it writes nothing and exits 1 when
 * a checked-in file differs from what the generator produces now (CI runs this to catch stale output).
 *
 *   node scripts/regenerate.ts           rewrite the generated folders
 *   node scripts/regenerate.ts --check   compare only
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { renderIdl, type GenerateOptions } from "../src/codegen/index.ts";

/** One generated folder: the IDL files it comes from and how it is generated. */
interface Target {
  readonly idl: readonly string[];
  readonly out: string;
  readonly options: GenerateOptions;
}

const root = fileURLToPath(new URL("..", import.meta.url));

/** Every generated folder in the repository. Paths are relative to the repository root. */
const TARGETS: readonly Target[] = [
  // The bundled example IDL, run directly by Node (type stripping), so imports end in .ts.
  { idl: ["idl/jobs.thrift"], out: "examples/quickstart/gen", options: { importExtension: ".ts" } },
  // The main job (GrepTheWeb), also run directly by Node.
  { idl: ["idl/grep.thrift"], out: "examples/grep/gen", options: { importExtension: ".ts" } },
  // The generator's golden files: every IDL feature, as a tsc-compiled project would import it.
  {
    idl: ["test/fixtures/idl/everything.thrift"],
    out: "test/golden/gen/everything",
    options: { includeDirs: ["test/fixtures/idl/shared"] },
  },
  // Golden files for names that collide with JavaScript (reserved words, Object.prototype members, globals).
  { idl: ["test/fixtures/idl/names.thrift"], out: "test/golden/gen/names", options: {} },
  // The codec benchmark's job struct, run by Node directly against src/ so it always measures the current codecs.
  {
    idl: ["bench/fixtures/job.thrift"],
    out: "bench/gen/thrift-queue",
    options: { importExtension: ".ts", runtimeModule: "../../../src/index.ts" },
  },
];

async function expectedFiles(target: Target): Promise<Map<string, string>> {
  process.chdir(root);
  const files = await renderIdl(target.idl, target.options);
  return new Map(files.map((file) => [join(target.out, file.path), file.contents]));
}

async function existingFiles(folder: string): Promise<string[]> {
  try {
    const entries = await readdir(join(root, folder), { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => relative(root, join(entry.parentPath, entry.name)));
  } catch {
    return [];
  }
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(join(root, path), "utf8");
  } catch {
    return undefined;
  }
}

/** Returns the paths that differ (missing, changed or extra). */
async function compare(target: Target): Promise<string[]> {
  const expected = await expectedFiles(target);
  const stale: string[] = [];
  for (const [path, contents] of expected) if ((await readOrUndefined(path)) !== contents) stale.push(path);
  for (const path of await existingFiles(target.out)) if (!expected.has(path)) stale.push(`${path} (not generated)`);
  return stale;
}

async function rewrite(target: Target): Promise<void> {
  const expected = await expectedFiles(target);
  await rm(join(root, target.out), { recursive: true, force: true });
  for (const [path, contents] of expected) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), contents);
  }
  process.stdout.write(`${target.out}: ${expected.size} file(s) from ${target.idl.join(", ")}\n`);
}

if (process.argv.includes("--check")) {
  const stale = (await Promise.all(TARGETS.map(compare))).flat();
  if (stale.length > 0) {
    process.stderr.write(`generated code is stale; run \`npm run gen\`:\n${stale.map((p) => `  ${p}`).join("\n")}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`generated code is up to date (${TARGETS.length} targets)\n`);
  }
} else {
  for (const target of TARGETS) await rewrite(target);
}
