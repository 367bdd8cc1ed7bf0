import { readFile } from "node:fs/promises";
import type { Schema } from "../model/schema.ts";
import { DocumentLoader } from "./load-documents.ts";
import type { ReadFile } from "./load-documents.ts";
import { resolveSchema } from "./resolve-schema.ts";
import type { WarningHandler } from "./warnings.ts";

// The lower-level steps, for tests and tools: parse one file, resolve already-parsed documents.
export { parseIdl } from "./parse-file.ts";
export type { ParsedIdl } from "./parse-file.ts";
export { resolveSchema } from "./resolve-schema.ts";
export type { ResolveSchemaOptions } from "./resolve-schema.ts";
export type { ParsedDocument } from "./scope.ts";
export type { GeneratorWarning, WarningHandler } from "./warnings.ts";

/** Options of {@link loadSchema}. */
export interface LoadSchemaOptions {
  /** Folders searched for `include`d files after the including file's own folder, in order (`-I`). */
  includeDirs?: readonly string[];
  /** Reads a file as text; missing files must reject with `code: "ENOENT"`. @defaultValue node:fs/promises */
  readFile?: ReadFile;
  /** Receives warnings (implicit field ids, ...); dropped when absent. */
  onWarning?: WarningHandler;
}

/**
 * Loads IDL files and everything they include, then parses, resolves and validates them into a {@link Schema}
 * whose roots are the given files' modules, in order. Throws a {@link GeneratorError} (`GEN_*`), located at
 * `file:line:col` whenever the problem is inside a file.
 */
export async function loadSchema(files: readonly string[], options: LoadSchemaOptions = {}): Promise<Schema> {
  const loader = new DocumentLoader(options.readFile ?? readUtf8, options.includeDirs ?? []);
  const roots: string[] = [];
  for (const file of files) {
    const document = await loader.loadRoot(file);
    if (!roots.includes(document.module)) roots.push(document.module);
  }
  return resolveSchema(
    loader.documents,
    roots,
    options.onWarning === undefined ? {} : { onWarning: options.onWarning },
  );
}

function readUtf8(path: string): Promise<string> {
  return readFile(path, "utf8");
}
