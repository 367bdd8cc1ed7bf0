/** What `POST /v1/searches` accepts, and its validation (every problem reported at once, never a throw). */
import { catastrophicShape } from "./pattern-safety.ts";

/** A validated search request. */
export interface SearchRequest {
  /** A JavaScript regular expression source. */
  readonly pattern: string;
  /** A subset of "imsu", each at most once. */
  readonly flags: string;
  /** The document set's name: the blob prefix `documents/<name>/`. */
  readonly documentSet: string;
  /** Documents per chunk job. */
  readonly documentsPerChunk: number;
}

/** Longest pattern accepted, in characters. */
export const MAX_PATTERN_LENGTH = 256;
/** Default of {@link SearchRequest.documentsPerChunk}. */
export const DEFAULT_DOCUMENTS_PER_CHUNK = 2;
/** Flags a search may use; `g` and `y` make `test` stateful and `d`/`v` add nothing to line matching. */
const ALLOWED_FLAGS = "imsu";
const DOCUMENT_SET = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const FIELDS = new Set(["pattern", "flags", "documentSet", "documentsPerChunk"]);

/** The outcome of {@link parseSearchRequest}. */
export type ParsedSearchRequest =
  { readonly ok: true; readonly request: SearchRequest } | { readonly ok: false; readonly problems: readonly string[] };

/** Validates a decoded JSON body. */
export function parseSearchRequest(body: unknown): ParsedSearchRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, problems: ["the body must be a JSON object"] };
  }
  const fields = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(fields)) if (!FIELDS.has(key)) problems.push(`unknown field ${JSON.stringify(key)}`);
  const { pattern, flags = "", documentSet = "sample", documentsPerChunk = DEFAULT_DOCUMENTS_PER_CHUNK } = fields;
  if (typeof flags !== "string" || !validFlags(flags)) {
    problems.push(`flags must be a string of distinct letters from "${ALLOWED_FLAGS}"`);
  }
  if (typeof pattern !== "string" || pattern === "") {
    problems.push("pattern must be a non-empty string");
  } else if (pattern.length > MAX_PATTERN_LENGTH) {
    problems.push(`pattern must be at most ${MAX_PATTERN_LENGTH} characters`);
  } else {
    const compileProblem = compile(pattern, typeof flags === "string" && validFlags(flags) ? flags : "");
    if (compileProblem !== undefined) problems.push(compileProblem);
  }
  if (typeof documentSet !== "string" || !DOCUMENT_SET.test(documentSet)) {
    problems.push("documentSet must be 1–64 lower-case letters, digits, '-' or '_'");
  }
  if (typeof documentsPerChunk !== "number" || !Number.isInteger(documentsPerChunk) || documentsPerChunk < 1) {
    problems.push("documentsPerChunk must be a whole number from 1 to 100");
  } else if (documentsPerChunk > 100) {
    problems.push("documentsPerChunk must be a whole number from 1 to 100");
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    request: {
      pattern: pattern as string,
      flags: flags as string,
      documentSet: documentSet as string,
      documentsPerChunk: documentsPerChunk as number,
    },
  };
}

function validFlags(flags: string): boolean {
  return [...flags].every((flag, index) => ALLOWED_FLAGS.includes(flag) && flags.indexOf(flag) === index);
}

/** Why the pattern cannot be used, or undefined. */
function compile(pattern: string, flags: string): string | undefined {
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    return `pattern does not compile: ${error instanceof Error ? error.message : String(error)}`;
  }
  const shape = catastrophicShape(pattern);
  return shape === undefined ? undefined : `pattern refused: ${shape}`;
}
