import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { SyntaxType } from "@creditkarma/thrift-parser";
import type { IncludeDefinition } from "@creditkarma/thrift-parser";
import { GeneratorError } from "../errors.ts";
import type { ParsedIdl } from "./parse-file.ts";
import { parseIdl } from "./parse-file.ts";
import type { ParsedDocument } from "./scope.ts";
import { errorAt, sourceLocation } from "./source-location.ts";

/** Reads a file as UTF-8 text; must reject with an error whose `code` is `ENOENT` when the file is missing. */
export type ReadFile = (path: string) => Promise<string>;

/** Where an include statement found its file. */
interface Found {
  readonly file: string;
  readonly key: string;
  readonly source?: string;
}

const NOT_FOUND_CODES = new Set(["ENOENT", "ENOTDIR", "EISDIR"]);

/**
 * Reads and parses IDL files and, transitively, what they include: relative to the including file's folder
 * first, then each include dir in order. One document per file (by resolved path); module names must be
 * unique; include cycles are rejected.
 */
export class DocumentLoader {
  private readonly includeDirs: readonly string[];
  private readonly readFile: ReadFile;
  private readonly loaded = new Map<string, ParsedDocument>();
  /** Resolved paths in the order their loading started: documents come out in this (pre-)order. */
  private readonly order: string[] = [];
  /** Module name -> the file that defines it. */
  private readonly modules = new Map<string, { key: string; file: string }>();
  /** Resolved paths of the files being loaded, outermost first. */
  private readonly stack: { key: string; file: string }[] = [];

  constructor(readFile: ReadFile, includeDirs: readonly string[]) {
    this.readFile = readFile;
    this.includeDirs = includeDirs;
  }

  /** Every document loaded so far: roots before what they include. */
  get documents(): ParsedDocument[] {
    return this.order.flatMap((key) => this.loaded.get(key) ?? []);
  }

  /** Loads a file named on the command line (its path is kept as given). */
  async loadRoot(file: string): Promise<ParsedDocument> {
    const key = resolve(file);
    const known = this.loaded.get(key);
    if (known !== undefined) return known;
    let source: string;
    try {
      source = await this.readFile(file);
    } catch (error) {
      throw new GeneratorError("GEN_IO", `cannot read ${file}: ${describeError(error)}`, undefined, { cause: error });
    }
    return this.load({ file, key, source }, undefined);
  }

  private async load(
    found: Found,
    from: { idl: ParsedIdl; node: IncludeDefinition } | undefined,
  ): Promise<ParsedDocument> {
    const { file, key } = found;
    const module = basename(file, ".thrift");
    const clash = this.modules.get(module);
    if (clash !== undefined && clash.key !== key) {
      const detail = `module name "${module}" of ${file} is already used by ${clash.file} (module names come from file names)`;
      throw from === undefined
        ? new GeneratorError("GEN_DUPLICATE", detail)
        : errorAt("GEN_DUPLICATE", detail, from.idl, from.node);
    }
    this.modules.set(module, { key, file });
    this.order.push(key);
    const idl = parseIdl(stripBom(found.source ?? ""), file);
    this.stack.push({ key, file });
    const includes: string[] = [];
    for (const node of idl.document.body) {
      if (node.type !== SyntaxType.IncludeDefinition) continue;
      const target = await this.locate(idl, node);
      const cycleStart = this.stack.findIndex((entry) => entry.key === target.key);
      if (cycleStart >= 0) {
        const chain = [...this.stack.slice(cycleStart).map((entry) => entry.file), target.file].join(" -> ");
        throw errorAt("GEN_INVALID", `include cycle: ${chain}`, idl, node);
      }
      const document = this.loaded.get(target.key) ?? (await this.load(target, { idl, node }));
      if (!includes.includes(document.module)) includes.push(document.module);
    }
    this.stack.pop();
    const document: ParsedDocument = { module, idl, includes };
    this.loaded.set(key, document);
    return document;
  }

  private async locate(idl: ParsedIdl, node: IncludeDefinition): Promise<Found> {
    const path = node.path.value;
    const candidates = isAbsolute(path)
      ? [path]
      : [join(dirname(idl.file), path), ...this.includeDirs.map((dir) => join(dir, path))];
    for (const file of candidates) {
      const key = resolve(file);
      if (this.loaded.has(key) || this.stack.some((entry) => entry.key === key)) return { file, key };
      try {
        return { file, key, source: await this.readFile(file) };
      } catch (error) {
        if (isNotFound(error)) continue;
        const location = sourceLocation(idl, node.loc.start);
        throw new GeneratorError("GEN_IO", `cannot read ${file}: ${describeError(error)}`, location, { cause: error });
      }
    }
    const detail = `cannot find included file "${path}" (looked for ${candidates.join(", ")})`;
    throw errorAt("GEN_INCLUDE_NOT_FOUND", detail, idl, node);
  }
}

function isNotFound(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  return typeof error.code === "string" && NOT_FOUND_CODES.has(error.code);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stripBom(source: string): string {
  return source.startsWith("\uFEFF") ? source.slice(1) : source;
}
