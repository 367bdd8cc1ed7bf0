import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { loadSchema } from "./load-schema.ts";
import type { GeneratedFile, RenderOptions, Renderer } from "./render/renderer.ts";
import { typescriptRenderer } from "./render/typescript-renderer.ts";

/** Options of {@link generate}. */
export interface GenerateOptions extends RenderOptions {
  /** Folders searched for `include`d files after the including file's own folder. @defaultValue [] */
  includeDirs?: readonly string[];
  /** @defaultValue the TypeScript renderer */
  renderer?: Renderer;
}

/** Parses, resolves and renders IDL files; returns the files without writing them. */
export async function renderIdl(files: readonly string[], options: GenerateOptions = {}): Promise<GeneratedFile[]> {
  const schema = await loadSchema(files, { includeDirs: options.includeDirs ?? [] });
  return (options.renderer ?? typescriptRenderer).render(schema, options);
}

/** Generates code for IDL files into `outDir`, creating folders as needed; returns the paths written. */
export async function generate(
  files: readonly string[],
  outDir: string,
  options: GenerateOptions = {},
): Promise<string[]> {
  const rendered = await renderIdl(files, options);
  const written: string[] = [];
  for (const file of rendered) {
    const target = join(outDir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.contents);
    written.push(target);
  }
  return written;
}
