import { expect } from "vitest";
import { loadSchema } from "../../../src/codegen/load-schema.ts";
import type { LoadSchemaOptions } from "../../../src/codegen/load-schema.ts";
import type { GeneratorWarning } from "../../../src/codegen/warnings.ts";
import { GeneratorError } from "../../../src/errors.ts";
import type { GeneratorErrorCode } from "../../../src/errors.ts";
import type { Schema, SchemaDocument } from "../../../src/model/schema.ts";

/** A `readFile` over in-memory files; missing files reject with `code: "ENOENT"` like node:fs. */
export function memoryFiles(files: Readonly<Record<string, string>>): (path: string) => Promise<string> {
  return (path) => {
    const source = files[path];
    if (source !== undefined) return Promise.resolve(source);
    return Promise.reject(
      Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" }),
    );
  };
}

/** Loads `main.thrift` (plus any other in-memory files it includes); returns the schema and the warnings. */
export async function loadSource(
  main: string,
  others: Readonly<Record<string, string>> = {},
  options: LoadSchemaOptions = {},
): Promise<{ schema: Schema; main: SchemaDocument; warnings: GeneratorWarning[] }> {
  const warnings: GeneratorWarning[] = [];
  const schema = await loadSchema(["main.thrift"], {
    readFile: memoryFiles({ "main.thrift": main, ...others }),
    onWarning: (warning) => warnings.push(warning),
    ...options,
  });
  const document = schema.documents.get("main");
  if (document === undefined) throw new Error("no main document");
  return { schema, main: document, warnings };
}

/** Awaits `promise`, expecting a GeneratorError with this code, `file:line:col` (or no location) and detail. */
export async function expectGeneratorError(
  promise: Promise<unknown>,
  code: GeneratorErrorCode,
  where: string | undefined,
  detail?: string | RegExp,
): Promise<GeneratorError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GeneratorError);
  const generatorError = error as GeneratorError;
  const location = generatorError.location;
  expect({
    code: generatorError.code,
    where: location === undefined ? undefined : `${location.file}:${location.line}:${location.column}`,
  }).toEqual({ code, where });
  if (detail !== undefined) expect(generatorError.detail).toMatch(detail);
  if (where !== undefined) expect(generatorError.message).toBe(`${where}: ${generatorError.detail}`);
  return generatorError;
}

/** Expects loading `main.thrift` with this source to fail as described. */
export function expectSourceError(
  main: string,
  code: GeneratorErrorCode,
  where: string | undefined,
  detail?: string | RegExp,
  others: Readonly<Record<string, string>> = {},
): Promise<GeneratorError> {
  return expectGeneratorError(loadSource(main, others), code, where, detail);
}
